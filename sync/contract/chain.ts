/** Re-verifying a run of tap records with the journal's own encoding (src/journal/canonical.ts). */
import { tapHash } from '../../src/journal/canonical.ts';
import type { TapRecord } from '../../src/journal/types.ts';

/** The first problem in `records` as a continuation of (`seq`, `prevHash`), or null when the chain holds. */
export function chainProblem(records: readonly TapRecord[], seq: number, prevHash: string): string | null {
  let expectedSeq = seq;
  let prev = prevHash;
  for (const r of records) {
    if (r.seq !== expectedSeq) return `record seq ${r.seq} where seq ${expectedSeq} was expected: batches must be ascending and contiguous`;
    if (r.prevHash !== prev) return `record ${r.seq}: prevHash ${r.prevHash} does not link to the previous record's hash ${prev}`;
    const computed = tapHash(r.seq, r.prevHash, r);
    if (computed !== r.hash) return `record ${r.seq}: hash ${r.hash} does not match its contents (recomputed ${computed}): the record was altered`;
    expectedSeq += 1;
    prev = r.hash;
  }
  return null;
}
