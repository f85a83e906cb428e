/** The tap journal on SQLite: every write is one immediate transaction, fsynced before it returns. */
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { ErrorCode, ValidatorError } from '../domain/errors.ts';
import type { Clock } from '../domain/time.ts';
import type { Logger } from '../log/logger.ts';
import { checkIntent } from './check-intent.ts';
import { checkTapFields } from './check-tap-fields.ts';
import type { StatFs } from './disk.ts';
import { IntentStore } from './intent-store.ts';
import { isStorageFailure, toJournalError } from './journal-error.ts';
import { storedStats } from './journal-stats.ts';
import { beginDebitInTx, resolveDebitInTx } from './debit-rules.ts';
import { Meta, MetaKey, type Continuation } from './meta.ts';
import { deletePrunable, markSyncedInTx, type PruneResult } from './retention.ts';
import { TapStore } from './tap-store.ts';
import type { DebitIntent, JournalStats, SyncPosition, TapFields, TapJournal, TapRecord, VerifyReport, WireRecord } from './types.ts';
import { verifyJournal } from './verify.ts';

/** What the journal needs besides its open connection. */
export interface JournalDeps {
  /** The database file. */
  readonly path: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** assertWritable() refuses debits when the directory has less free space than this. */
  readonly minFreeBytes: number;
  /** prune() deletes synced records only once they are older than this. */
  readonly retentionMs: number;
  /** prune() does nothing while free space is at or above this. */
  readonly pruneWhenFreeBelowBytes: number;
  /** Free space of a directory; the real statfs(2) unless a test plays a full disk. */
  readonly statfs: StatFs;
}

export interface ConnectionSettings {
  readonly journalMode: string;
  /** 2 is FULL. */
  readonly synchronous: number;
  readonly busyTimeoutMs: number;
}

export class SqliteTapJournal implements TapJournal {
  private readonly dir: string;
  private readonly meta: Meta;
  private readonly taps: TapStore;
  private readonly intents: IntentStore;
  /** The last storage failure of a write; cleared by the next write that succeeds. */
  private failure: ValidatorError | null = null;
  private closed = false;

  private readonly beginTx: Database.Transaction<(intent: DebitIntent) => void>;
  private readonly resolveTx: Database.Transaction<(intentId: string, outcome: TapFields) => TapRecord>;
  private readonly markSyncedTx: Database.Transaction<(throughSeq: number) => void>;
  private readonly pruneTx: Database.Transaction<(cutoff: number) => number>;

  /** Takes an open, configured and migrated connection; openJournal() is the usual way in. */
  constructor(
    private readonly db: Database.Database,
    private readonly deps: JournalDeps,
  ) {
    this.dir = dirname(deps.path);
    this.meta = new Meta(db);
    this.taps = new TapStore(db, this.meta);
    this.intents = new IntentStore(db);
    this.beginTx = db.transaction((intent: DebitIntent) => beginDebitInTx(this.intents, intent));
    this.resolveTx = db.transaction((intentId: string, outcome: TapFields) =>
      resolveDebitInTx(this.taps, this.intents, intentId, outcome, deps.clock.now()),
    );
    this.markSyncedTx = db.transaction((throughSeq: number) => markSyncedInTx(this.meta, this.taps.head().seq, throughSeq));
    this.pruneTx = db.transaction((cutoff: number) => deletePrunable(db, this.meta, cutoff));
  }

  append(tap: TapFields): TapRecord {
    const fields = checkTapFields(tap);
    if (fields.intentId !== null) {
      throw new ValidatorError(ErrorCode.BadRequest, `tap ${fields.id} names debit intent ${fields.intentId}: journal it with resolveDebit, not append`);
    }
    // One INSERT is atomic on its own, and this process is the only writer (the connection holds the
    // file exclusively), so the cached head cannot move under it: no BEGIN/COMMIT round on the hot path.
    return this.write('append a tap', () => this.taps.insert(fields));
  }

  beginDebit(intent: DebitIntent): void {
    const checked = checkIntent(intent);
    this.write('record a debit intent', () => this.beginTx.immediate(checked));
  }

  resolveDebit(intentId: string, outcome: TapFields): TapRecord {
    const fields = checkTapFields(outcome, `the outcome of debit intent ${intentId}`);
    if (fields.intentId !== intentId) {
      throw new ValidatorError(ErrorCode.BadRequest, `the outcome of debit intent ${intentId} must have intentId ${intentId}, not ${fields.intentId}`);
    }
    return this.write('resolve a debit intent', () => this.resolveTx.immediate(intentId, fields));
  }

  openDebits(): DebitIntent[] {
    return this.read('list open debit intents', () => this.intents.open());
  }

  openDebitFor(cardUid: string): DebitIntent | undefined {
    return this.read('look up an open debit intent', () => this.intents.openFor(cardUid));
  }

  list(sinceSeq: number, limit: number): TapRecord[] {
    checkRange('list', sinceSeq, limit);
    return this.read('list taps', () => this.taps.list(sinceSeq, limit));
  }

  listJson(sinceSeq: number, limit: number): WireRecord[] {
    checkRange('listJson', sinceSeq, limit);
    return this.read('list taps', () => this.taps.listJson(sinceSeq, limit));
  }

  assertWritable(): void {
    this.assertOpen();
    if (this.failure !== null) {
      throw new ValidatorError(
        ErrorCode.JournalUnavailable,
        `no debit can be recorded until a journal write succeeds again. Last failure: ${this.failure.message}`,
        { cause: this.failure },
      );
    }
    const free = this.freeBytes();
    if (free < this.deps.minFreeBytes) {
      throw new ValidatorError(
        ErrorCode.JournalUnavailable,
        `only ${free} bytes are free in ${this.dir}, below minFreeBytes ${this.deps.minFreeBytes}: debits stop rather than take ` +
          'fares that might not be recorded. Free space on that filesystem, or sync so that old taps can be pruned.',
      );
    }
  }

  stats(): JournalStats {
    return this.read('read journal stats', () => ({ ...storedStats(this.db, this.deps.path, { taps: this.taps, intents: this.intents, meta: this.meta }), freeBytes: this.freeBytes() }));
  }

  syncPosition(): SyncPosition {
    return this.read('read the sync position', () => ({ lastSeq: this.taps.head().seq, syncedThrough: this.meta.int(MetaKey.SyncedThrough, 0) }));
  }

  verify(): VerifyReport {
    return this.read('verify the journal', () => verifyJournal(this.db, this.meta.anchor()));
  }

  /** Records that the backend holds every record through `throughSeq`; it never moves back. */
  markSynced(throughSeq: number): void {
    if (!Number.isSafeInteger(throughSeq) || throughSeq < 0) {
      throw new ValidatorError(ErrorCode.BadRequest, `markSynced needs a non-negative integer seq, got ${throughSeq}`);
    }
    this.write('mark taps synced', () => this.markSyncedTx.immediate(throughSeq));
  }

  /** When free space is below pruneWhenFreeBelowBytes, deletes synced records older than retentionMs. */
  prune(now: number): PruneResult {
    const freeBytesBefore = this.freeBytes();
    if (freeBytesBefore >= this.deps.pruneWhenFreeBelowBytes) return { deleted: 0, freeBytesBefore };
    const deleted = this.write('prune synced taps', () => this.pruneTx.immediate(now - this.deps.retentionMs));
    if (deleted > 0) {
      // Deleting only frees pages inside the file; space low is the reason we are here, so hand them back.
      this.write('return pruned space to the filesystem', () => {
        this.db.pragma('incremental_vacuum');
        this.db.pragma('wal_checkpoint(TRUNCATE)');
      });
    }
    if (deleted > 0) {
      this.deps.log.info(`pruned ${deleted} synced taps older than ${this.deps.retentionMs} ms`, { deleted, freeBytesBefore });
    } else {
      this.deps.log.warn(`only ${freeBytesBefore} bytes free in ${this.dir}, but no synced tap is old enough to prune`, { freeBytesBefore });
    }
    return { deleted, freeBytesBefore };
  }

  /** The durability settings of the live connection, for status displays and tests. */
  connectionSettings(): ConnectionSettings {
    return this.read('read the connection settings', () => ({
      journalMode: String(this.db.pragma('journal_mode', { simple: true })),
      synchronous: Number(this.db.pragma('synchronous', { simple: true })),
      busyTimeoutMs: Number(this.db.pragma('busy_timeout', { simple: true })),
    }));
  }

  /** Set when this journal continues one that was found damaged and moved aside. */
  continuation(): Continuation | null {
    return this.read('read the continuation', () => this.meta.continuation());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private freeBytes(): number {
    try {
      return this.deps.statfs(this.dir).freeBytes;
    } catch (e) {
      throw toJournalError(e, `read the free space of ${this.dir}`, this.deps.path);
    }
  }

  /** Runs a write; a storage failure marks the journal unhealthy until a later write succeeds. */
  private write<T>(doing: string, f: () => T): T {
    this.assertOpen();
    try {
      const result = f();
      if (this.failure !== null) {
        this.deps.log.info('journal writes succeed again', { after: this.failure.message });
        this.failure = null;
      }
      return result;
    } catch (e) {
      this.taps.forgetHead();
      const error = toJournalError(e, doing, this.deps.path);
      if (isStorageFailure(error)) {
        // Once per distinct failure: a full disk must not turn every refused tap into another error line.
        if (this.failure === null || failureKind(this.failure) !== failureKind(error)) this.deps.log.error(error.message, { code: error.code });
        this.failure = error;
      }
      throw error;
    }
  }

  private read<T>(doing: string, f: () => T): T {
    this.assertOpen();
    try {
      return f();
    } catch (e) {
      throw toJournalError(e, doing, this.deps.path);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new ValidatorError(ErrorCode.InvalidState, `journal ${this.deps.path} is closed`);
  }
}

/** The code and SQLite's (or the filesystem's) own code: what makes two failures "the same". */
function failureKind(e: ValidatorError): string {
  const cause = e.cause as { code?: unknown } | undefined;
  return `${e.code}/${typeof cause?.code === 'string' ? cause.code : e.message}`;
}

function checkRange(what: string, sinceSeq: number, limit: number): void {
  if (!Number.isSafeInteger(sinceSeq) || !Number.isSafeInteger(limit) || limit < 0) {
    throw new ValidatorError(ErrorCode.BadRequest, `${what} needs integer sinceSeq and a non-negative integer limit, got ${sinceSeq} and ${limit}`);
  }
}
