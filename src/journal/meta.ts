/** The journal's key/value facts: sync progress, the chain anchor, and where a journal continued from. */
import type Database from 'better-sqlite3';
import { GENESIS_HASH } from './canonical.ts';

export const MetaKey = {
  /** Highest seq the backend has acknowledged. */
  SyncedThrough: 'synced_through',
  /** Seq of the first retained record (the next to write, when none is retained). */
  ChainStartSeq: 'chain_start_seq',
  /** The hash the record at chain_start_seq links to. */
  ChainStartPrevHash: 'chain_start_prev_hash',
  /** After corruption: the last record salvaged from the damaged file, which this journal continues. */
  ContinuedAfterSeq: 'continued_after_seq',
  ContinuedAfterHash: 'continued_after_hash',
  /** After corruption: where the damaged file was moved. */
  ContinuedFromFile: 'continued_from_file',
} as const;
export type MetaKey = (typeof MetaKey)[keyof typeof MetaKey];

/** Where the retained chain starts: verify() and the next append link to this. */
export interface ChainAnchor {
  readonly seq: number;
  readonly prevHash: string;
}

/** The journal continued a damaged one: the new chain links to this record of the file set aside. */
export interface Continuation {
  readonly afterSeq: number;
  readonly afterHash: string;
  readonly damagedFile: string;
}

/** Typed access to the meta table. Callers provide the transaction. */
export class Meta {
  private readonly getStmt: Database.Statement<[string], { value: string }>;
  private readonly setStmt: Database.Statement<[string, string]>;

  constructor(db: Database.Database) {
    this.getStmt = db.prepare('SELECT value FROM meta WHERE key = ?');
    this.setStmt = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  }

  get(key: MetaKey): string | undefined {
    return this.getStmt.get(key)?.value;
  }

  set(key: MetaKey, value: string | number): void {
    this.setStmt.run(key, String(value));
  }

  /** An integer value, or `fallback` when absent. */
  int(key: MetaKey, fallback: number): number {
    const v = this.get(key);
    return v === undefined ? fallback : Number(v);
  }

  anchor(): ChainAnchor {
    return { seq: this.int(MetaKey.ChainStartSeq, 1), prevHash: this.get(MetaKey.ChainStartPrevHash) ?? GENESIS_HASH };
  }

  setAnchor(anchor: ChainAnchor): void {
    this.set(MetaKey.ChainStartSeq, anchor.seq);
    this.set(MetaKey.ChainStartPrevHash, anchor.prevHash);
  }

  continuation(): Continuation | null {
    const afterSeq = this.get(MetaKey.ContinuedAfterSeq);
    const afterHash = this.get(MetaKey.ContinuedAfterHash);
    const damagedFile = this.get(MetaKey.ContinuedFromFile);
    if (afterSeq === undefined || afterHash === undefined || damagedFile === undefined) return null;
    return { afterSeq: Number(afterSeq), afterHash, damagedFile };
  }
}
