/**
 * The journal read without the daemon, for `validator status` and `validator selftest` at the depot: a read-only
 * connection, so that a look never migrates, checkpoints, moves aside or otherwise changes the file. The daemon
 * holds its connection with locking_mode=EXCLUSIVE, so this opens only while no daemon runs.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { ErrorCode, ValidatorError } from '../domain/errors.ts';
import { IntentStore } from './intent-store.ts';
import { toJournalError } from './journal-error.ts';
import { storedStats, type StoredStats } from './journal-stats.ts';
import { Meta } from './meta.ts';
import { TapStore } from './tap-store.ts';
import type { TapRecord, VerifyReport } from './types.ts';
import { verifyJournal } from './verify.ts';

/** The journal's figures as a reader sees them (JournalStats without the free space, which is the filesystem's). */
export type ReadOnlyStats = StoredStats;

export class ReadOnlyJournal {
  private readonly meta: Meta;
  private readonly taps: TapStore;
  private readonly intents: IntentStore;

  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
  ) {
    this.meta = new Meta(db);
    this.taps = new TapStore(db, this.meta);
    this.intents = new IntentStore(db);
  }

  /**
   * Opens `path` read-only. Throws ValidatorError: NotFound when there is no journal; JournalUnavailable when
   * another process (a running daemon) holds it, or it cannot be read; JournalCorrupt when it is damaged.
   */
  static open(path: string, busyTimeoutMs = 200): ReadOnlyJournal {
    if (!existsSync(path)) {
      throw new ValidatorError(ErrorCode.NotFound, `no journal at ${path}: no validator has run with this state directory yet`);
    }
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
      const journal = new ReadOnlyJournal(db, path);
      // Statements are prepared lazily by SQLite: read once now, so that a held lock shows here and not later.
      journal.taps.head();
      return journal;
    } catch (e) {
      db?.close();
      throw toJournalError(e, 'open the journal read-only', path);
    }
  }

  stats(): ReadOnlyStats {
    return this.read('read journal stats', () => storedStats(this.db, this.path, { taps: this.taps, intents: this.intents, meta: this.meta }));
  }

  /** Records with seq > sinceSeq, ascending, at most `limit`. */
  list(sinceSeq: number, limit: number): TapRecord[] {
    return this.read('list taps', () => this.taps.list(sinceSeq, limit));
  }

  /** SQLite's integrity check, the seq run, the hash chain and the intents (verify.ts); reports, never throws for what it finds. */
  verify(): VerifyReport {
    return this.read('verify the journal', () => verifyJournal(this.db, this.meta.anchor()));
  }

  close(): void {
    this.db.close();
  }

  private read<T>(doing: string, f: () => T): T {
    try {
      return f();
    } catch (e) {
      throw toJournalError(e, doing, this.path);
    }
  }
}
