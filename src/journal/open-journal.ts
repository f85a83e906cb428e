/** Opening the journal: directory, connection settings, health check, migrations, and recovery from damage. */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { ErrorCode, isValidatorError, ValidatorError } from '../domain/errors.ts';
import { syncDirectorySync } from '../fs/durable-file.ts';
import { checkExisting, openConnection } from './connection.ts';
import { salvageTail, type Salvage } from './damaged-journal.ts';
import { systemStatFs, type StatFs } from './disk.ts';
import { toJournalError } from './journal-error.ts';
import { Meta, MetaKey } from './meta.ts';
import { migrate } from './migrate.ts';
import { moveAside } from './quarantine.ts';
import { migrations } from './schema.ts';
import { SqliteTapJournal, type JournalDeps } from './sqlite-tap-journal.ts';

/** The journal's dependencies; the directory of `path` is created if missing, and statfs defaults to the real one. */
export interface JournalOptions extends Omit<JournalDeps, 'statfs'> {
  /** How long a write waits for another process's lock before failing; default 1000 ms. */
  readonly busyTimeoutMs?: number;
  readonly statfs?: StatFs;
}

const DEFAULT_BUSY_TIMEOUT_MS = 1000;

/** Opens the journal, or moves a damaged one aside and starts a fresh one that continues its chain. */
export function openJournal(options: JournalOptions): SqliteTapJournal {
  checkOptions(options);
  const path = resolve(options.path);
  const dir = dirname(path);
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw toJournalError(e, `create the journal directory ${dir}`, path);
  }

  let db: Database.Database;
  try {
    db = openChecked(path, busyTimeoutMs);
  } catch (e) {
    if (!isValidatorError(e, ErrorCode.JournalCorrupt)) throw e;
    db = startAfterDamage(path, busyTimeoutMs, options, e);
  }
  try {
    // The database file may be new: make its directory entry durable too.
    syncDirectorySync(dir);
  } catch (e) {
    db.close();
    throw toJournalError(e, `sync directory ${dir}`, path);
  }
  const { busyTimeoutMs: _busy, statfs, ...deps } = options;
  return new SqliteTapJournal(db, { ...deps, path, statfs: statfs ?? systemStatFs });
}

/** Opens, checks and migrates; any failure comes back as a ValidatorError (JournalCorrupt for damage). */
function openChecked(path: string, busyTimeoutMs: number): Database.Database {
  let db: Database.Database | undefined;
  try {
    checkExisting(path, busyTimeoutMs);
    db = openConnection(path, busyTimeoutMs);
    migrate(db, path, migrations);
    return db;
  } catch (e) {
    db?.close();
    throw toJournalError(e, 'open the journal', path);
  }
}

function startAfterDamage(path: string, busyTimeoutMs: number, options: JournalOptions, damage: ValidatorError): Database.Database {
  let aside: string;
  try {
    aside = moveAside(path, options.clock.now());
  } catch (e) {
    throw toJournalError(e, `move damaged journal ${path} aside (${damage.message})`, path);
  }
  const salvage = salvageTail(aside);
  const db = openChecked(path, busyTimeoutMs);
  try {
    if (salvage !== null) db.transaction(() => recordContinuation(new Meta(db), salvage, aside)).immediate();
  } catch (e) {
    db.close();
    throw toJournalError(e, 'record where the fresh journal continues from', path);
  }
  options.log.error(
    `journal ${path} is damaged (${damage.message}); moved it aside to ${aside} (kept, never deleted) and started a fresh journal ` +
      (salvage === null
        ? 'at seq 1: nothing could be salvaged from it'
        : `continuing after seq ${salvage.seq}${unsyncedNote(salvage, aside)}`),
    { aside, continuedAfterSeq: salvage?.seq ?? null },
  );
  return db;
}

function recordContinuation(meta: Meta, salvage: Salvage, aside: string): void {
  meta.setAnchor({ seq: salvage.seq + 1, prevHash: salvage.hash });
  meta.set(MetaKey.ContinuedAfterSeq, salvage.seq);
  meta.set(MetaKey.ContinuedAfterHash, salvage.hash);
  meta.set(MetaKey.ContinuedFromFile, aside);
  // Carried over so that stats() shows the backend's real progress; the damaged file's unsynced
  // records are exported from it, since they are not in this journal.
  if (salvage.syncedThrough !== null) meta.set(MetaKey.SyncedThrough, Math.min(salvage.syncedThrough, salvage.seq));
}

function unsyncedNote(salvage: Salvage, aside: string): string {
  if (salvage.syncedThrough === null) return `; its sync progress is unreadable: export its records from ${aside} with readDamagedJournal`;
  return salvage.syncedThrough < salvage.seq
    ? `; records ${salvage.syncedThrough + 1}..${salvage.seq} were not synced: export them from ${aside} with readDamagedJournal`
    : '';
}

function checkOptions(o: JournalOptions): void {
  const problems: string[] = [];
  if (typeof o.path !== 'string' || o.path === '') problems.push('path must be a file path');
  for (const key of ['minFreeBytes', 'retentionMs', 'pruneWhenFreeBelowBytes', 'busyTimeoutMs'] as const) {
    const v = o[key];
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) problems.push(`${key} must be a non-negative integer, got ${v}`);
  }
  if (problems.length > 0) throw new ValidatorError(ErrorCode.BadRequest, `journal options: ${problems.join('; ')}`);
}
