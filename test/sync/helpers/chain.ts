/** Valid chains of tap records, as a journal would make them, for the receiver and contract tests. */
import { GENESIS_HASH, tapHash } from '../../../src/journal/canonical.ts';
import type { TapRecord } from '../../../src/journal/types.ts';
import { sampleTap } from '../../journal/helpers/sample-tap.ts';

/** n records from seq `from`, linked to `prev`. */
export function chainOf(n: number, from = 1, prev = GENESIS_HASH): TapRecord[] {
  const out: TapRecord[] = [];
  for (let seq = from; seq < from + n; seq++) {
    const fields = sampleTap(seq);
    const hash = tapHash(seq, prev, fields);
    out.push({ ...fields, seq, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}
