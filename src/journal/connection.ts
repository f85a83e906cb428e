/** Opens the journal's SQLite connection with the settings durability depends on, every time. */
import Database from 'better-sqlite3';
import { ErrorCode, ValidatorError } from '../domain/errors.ts';
import { fileSize } from './disk.ts';

/** WAL frames kept after a checkpoint; beyond this the -wal file is truncated. */
const JOURNAL_SIZE_LIMIT_BYTES = 4 * 1024 * 1024;

/** Opens (creating if missing) and configures a connection. SQLite errors pass through for the caller to map. */
export function openConnection(path: string, busyTimeoutMs: number): Database.Database {
  const db = new Database(path, { timeout: busyTimeoutMs });
  try {
    configure(db, path, busyTimeoutMs);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

function configure(db: Database.Database, path: string, busyTimeoutMs: number): void {
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  // Lets prune() give freed pages back to the filesystem. It takes effect only on an empty file, before
  // journal_mode=WAL writes the header; on an existing file it would still rewrite the header, so skip it.
  if (db.pragma('page_count', { simple: true }) === 0) db.pragma('auto_vacuum = INCREMENTAL');
  const mode: unknown = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal') {
    throw new ValidatorError(
      ErrorCode.JournalUnavailable,
      `journal ${path} could not be switched to WAL mode (got "${String(mode)}"). ` +
        'Put the journal on a local filesystem that supports shared memory (not a network share).',
    );
  }
  // better-sqlite3's SQLite is built with DEFAULT_WAL_SYNCHRONOUS=1 (NORMAL), which can lose the last
  // commits on power loss. FULL fsyncs the WAL at every commit: a tap is on disk when append returns.
  db.pragma('synchronous = FULL');
  const synchronous: unknown = db.pragma('synchronous', { simple: true });
  if (synchronous !== 2) {
    throw new ValidatorError(ErrorCode.JournalUnavailable, `journal ${path} refused synchronous=FULL (got ${String(synchronous)})`);
  }
  db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT_BYTES}`);
  // One writer, the daemon: holding the file exclusively keeps a second validator (or a stray tool) from
  // interleaving records, lets append() commit a lone INSERT against its cached chain head, and skips
  // the shared-memory locking of every transaction. Readers go through the daemon's control socket.
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('trusted_schema = OFF');
}

/**
 * Checks an existing journal file on a read-only connection and throws on damage (JournalCorrupt, or SQLite's
 * own error). Read-only matters: closing a read-write connection checkpoints the WAL into the file and deletes
 * the -wal and -shm, which would destroy the evidence of a damaged journal before it is moved aside.
 */
export function checkExisting(path: string, busyTimeoutMs: number): void {
  if (fileSize(path) === 0) return;
  const db = new Database(path, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
  try {
    const rows = db.pragma('quick_check') as { quick_check: string }[];
    const lines = rows.map((r) => r.quick_check);
    if (lines.length !== 1 || lines[0] !== 'ok') {
      throw new ValidatorError(ErrorCode.JournalCorrupt, `quick_check found: ${lines.slice(0, 3).join('; ')}`);
    }
  } finally {
    db.close();
  }
}
