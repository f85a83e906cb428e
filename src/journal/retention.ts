/** Sync progress and which taps may go when space runs low: synced, old enough, and only as a prefix of the chain. */
import type Database from 'better-sqlite3';
import { ErrorCode, ValidatorError } from '../domain/errors.ts';
import { MetaKey, type Meta } from './meta.ts';

export interface PruneResult {
  /** Records deleted. */
  readonly deleted: number;
  /** Free bytes in the journal's directory before pruning: nothing is deleted unless it is below the threshold. */
  readonly freeBytesBefore: number;
}

/**
 * Deletes records with seq ≤ synced_through and time older than `cutoff`, as one prefix, and moves the chain
 * anchor past them; returns how many. Must run inside a write transaction.
 */
export function deletePrunable(db: Database.Database, meta: Meta, cutoff: number): number {
  const synced = meta.int(MetaKey.SyncedThrough, 0);
  // A record newer than the cutoff stops the prefix even if older ones follow it (a clock step back):
  // deleting around it would leave a hole that verify() could not tell from tampering.
  const firstYoung = db.prepare<[number, number], { s: number | null }>('SELECT min(seq) AS s FROM taps WHERE seq <= ? AND time >= ?').get(synced, cutoff)?.s ?? null;
  const through = firstYoung === null ? synced : Math.min(synced, firstYoung - 1);
  const last = db.prepare<[number], { seq: number; hash: string }>('SELECT seq, hash FROM taps WHERE seq <= ? ORDER BY seq DESC LIMIT 1').get(through);
  if (last === undefined) return 0;

  const deleted = db.prepare('DELETE FROM taps WHERE seq <= ?').run(last.seq).changes;
  // Their intents go with them; open intents are never deleted.
  db.prepare('DELETE FROM intents WHERE resolved_seq IS NOT NULL AND resolved_seq <= ?').run(last.seq);
  meta.setAnchor({ seq: last.seq + 1, prevHash: last.hash });
  return deleted;
}

/** Moves synced_through forward to `throughSeq` (never back); refuses a seq past the journal's end. In a write transaction. */
export function markSyncedInTx(meta: Meta, lastSeq: number, throughSeq: number): void {
  if (throughSeq > lastSeq) {
    throw new ValidatorError(ErrorCode.BadRequest, `cannot mark seq ${throughSeq} synced: the journal ends at seq ${lastSeq}`);
  }
  if (throughSeq > meta.int(MetaKey.SyncedThrough, 0)) meta.set(MetaKey.SyncedThrough, throughSeq);
}
