/** The taps table: chained inserts and reads. Callers provide the transaction. */
import type Database from 'better-sqlite3';
import { tapHash } from './canonical.ts';
import type { Meta } from './meta.ts';
import { recordValues, rowToRecord, TAP_COLUMNS, type TapRow } from './rows.ts';
import type { TapFields, TapRecord } from './types.ts';

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

  constructor(
    db: Database.Database,
    private readonly meta: Meta,
  ) {
    this.lastStmt = db.prepare('SELECT seq, hash FROM taps ORDER BY seq DESC LIMIT 1');
    this.insertStmt = db.prepare(`INSERT INTO taps (${TAP_COLUMNS.join(', ')}) VALUES (${TAP_COLUMNS.map(() => '?').join(', ')})`);
    this.listStmt = db.prepare(`SELECT ${TAP_COLUMNS.join(', ')} FROM taps WHERE seq > ? ORDER BY seq LIMIT ?`);
    this.countStmt = db.prepare('SELECT count(*) AS n FROM taps');
  }

  /** The last record, or the anchor's predecessor when none is retained (after a prune or a continuation). */
  head(): ChainHead {
    const last = this.lastStmt.get();
    if (last !== undefined) return last;
    const anchor = this.meta.anchor();
    return { seq: anchor.seq - 1, hash: anchor.prevHash };
  }

  /** Chains and inserts one checked tap. Must run inside a write transaction, so that head() cannot move. */
  insert(fields: TapFields): TapRecord {
    const head = this.head();
    const seq = head.seq + 1;
    const record: TapRecord = { ...fields, seq, prevHash: head.hash, hash: tapHash(seq, head.hash, fields) };
    this.insertStmt.run(recordValues(record));
    return record;
  }

  list(sinceSeq: number, limit: number): TapRecord[] {
    return this.listStmt.all(sinceSeq, limit).map(rowToRecord);
  }

  count(): number {
    return this.countStmt.get()?.n ?? 0;
  }
}
