/** The exactly-once rules of contract v1 for a run of tap records (docs/sync-protocol.md, "Taps"). */
import { GENESIS_HASH } from '../../src/journal/canonical.ts';
import type { TapRecord } from '../../src/journal/types.ts';
import { chainProblem } from '../contract/chain.ts';
import type { ReceiverStore } from './receiver-store.ts';

export type IngestResult =
  | { readonly kind: 'stored'; readonly ackedThrough: number; readonly added: number }
  | { readonly kind: 'gap'; readonly ackedThrough: number }
  | { readonly kind: 'conflict'; readonly seq: number }
  | { readonly kind: 'broken'; readonly problem: string }
  | { readonly kind: 'unknown-device' };

/**
 * Stores the records not yet held, in one transaction, or nothing: a batch starting after ackedThrough + 1 is
 * a gap, a broken chain is refused whole, a held seq with another hash is a conflict. `source` says where the
 * records came from ("upload" or the depot export file's name).
 */
export function ingestTaps(store: ReceiverStore, deviceId: string, taps: readonly TapRecord[], source: string): IngestResult {
  return store.transaction((): IngestResult => {
    const device = store.device(deviceId);
    if (!device) return { kind: 'unknown-device' };
    const first = taps[0];
    if (!first) return { kind: 'stored', ackedThrough: device.ackedThrough, added: 0 };
    const acked = device.ackedThrough;
    if (first.seq > acked + 1 || first.seq < 1) return { kind: 'gap', ackedThrough: acked };

    const prevHash = first.seq === 1 ? GENESIS_HASH : first.seq === acked + 1 ? device.lastHash : (store.taps(deviceId, first.seq - 1, first.seq - 1)[0]?.hash ?? '');
    const problem = chainProblem(taps, first.seq, prevHash);
    if (problem !== null) return { kind: 'broken', problem };

    const last = taps[taps.length - 1] as TapRecord;
    if (first.seq <= acked) {
      const held = store.taps(deviceId, first.seq, Math.min(last.seq, acked));
      for (const h of held) {
        if (taps[h.seq - first.seq]?.hash !== h.hash) return { kind: 'conflict', seq: h.seq };
      }
    }
    const fresh = taps.filter((t) => t.seq > acked).map((t) => ({ seq: t.seq, hash: t.hash, record: JSON.stringify(t) }));
    store.insertTaps(deviceId, fresh, source);
    return { kind: 'stored', ackedThrough: Math.max(acked, last.seq), added: fresh.length };
  });
}
