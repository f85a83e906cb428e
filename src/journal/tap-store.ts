/** The taps table: chained inserts and reads. Callers provide the transaction. */
import type Database from 'better-sqlite3';
import { tapHash } from './canonical.ts';
import type { Meta } from './meta.ts';
import { recordValues, rowToRecord, TAP_COLUMNS, TAP_JSON_SQL, type TapRow } from './rows.ts';
import type { TapFields, TapRecord, WireRecord } from './types.ts';

/** The end of the chain: the last written seq and its hash. */
export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

export class TapStore {
  private readonly lastStmt: Database.Statement<[], { seq: number; hash: string }>;
  private readonly insertStmt: Database.Statement<unknown[]>;
  private readonly listStmt: Database.Statement<[number, number], TapRow>;
  private readonly countStmt: Database.Statement<[], { n: number }>;
  private readonly listJsonStmt: Database.Statement<[number, number], WireRecord>;
  /**
   * The chain head as of the last committed insert: this process is the journal's only writer, so the
   * head need not be read back from SQLite before every insert (a query per tap, on the hot path).
   * forgetHead() drops it whenever a write fails, since its transaction may have rolled the insert back.
   */
  private cachedHead: ChainHead | null = null;

  constructor(
    db: Database.Database,
    private readonly meta: Meta,
  ) {
    this.lastStmt = db.prepare('SELECT seq, hash FROM taps ORDER BY seq DESC LIMIT 1');
    this.insertStmt = db.prepare(`INSERT INTO taps (${TAP_COLUMNS.join(', ')}) VALUES (${TAP_COLUMNS.map(() => '?').join(', ')})`);
    this.listStmt = db.prepare(`SELECT ${TAP_COLUMNS.join(', ')} FROM taps WHERE seq > ? ORDER BY seq LIMIT ?`);
    // Records form one unbroken seq run (inserts take head + 1, pruning deletes a prefix, verify() checks
    // the run), so the count is last − first + 1: two rowid lookups, each its own subquery (SQLite's
    // min/max shortcut takes one aggregate per query). count(*) walks every row, 15–40 ms at 100,000
    // records, and status and sync ask often.
    this.countStmt = db.prepare('SELECT coalesce((SELECT max(seq) FROM taps) - (SELECT min(seq) FROM taps) + 1, 0) AS n');
    this.listJsonStmt = db.prepare(`SELECT seq, ${TAP_JSON_SQL} AS json FROM taps WHERE seq > ? ORDER BY seq LIMIT ?`);
  }

  /** The last record, or the anchor's predecessor when none is retained (after a prune or a continuation). */
  head(): ChainHead {
    if (this.cachedHead !== null) return this.cachedHead;
    const last = this.lastStmt.get();
    if (last !== undefined) return last;
    const anchor = this.meta.anchor();
    return { seq: anchor.seq - 1, hash: anchor.prevHash };
  }

  /** Chains and inserts one checked tap: alone (one INSERT is atomic) or inside the caller's transaction. */
  insert(fields: TapFields): TapRecord {
    const head = this.head();
    const seq = head.seq + 1;
    const record: TapRecord = { ...fields, seq, prevHash: head.hash, hash: tapHash(seq, head.hash, fields) };
    this.insertStmt.run(recordValues(record));
    this.cachedHead = { seq, hash: record.hash };
    return record;
  }

  /** After a failed write: the next head() reads the committed head from the database. */
  forgetHead(): void {
    this.cachedHead = null;
  }

  list(sinceSeq: number, limit: number): TapRecord[] {
    return this.listStmt.all(sinceSeq, limit).map(rowToRecord);
  }

  listJson(sinceSeq: number, limit: number): WireRecord[] {
    return this.listJsonStmt.all(sinceSeq, limit);
  }

  count(): number {
    return this.countStmt.get()?.n ?? 0;
  }
}
