import type { DenyAction, DenyEntry } from '../domain/deny-list.ts';
import { keyHalves, keyOf } from './card-key.ts';
import { DenyListError, DenyListProblem } from './deny-list-error.ts';
import { buildImage } from './image-builder.ts';
import { KeyRuns } from './key-runs.ts';
import { PackedLayer } from './packed-layer.ts';
import type { ImageMeta } from './packed-image.ts';
import { TupleTable } from './tuple-table.ts';

const DAY_MS = 86_400_000;

/**
 * A base layer from entries in memory, on the calling thread: for small lists only (the empty list, the
 * first slice's JSON file, simulation). Lists from files go through importList in a worker.
 */
export function packEntries(version: string, entries: Iterable<DenyEntry>, now: number, kind: ImageMeta['source']['kind']): PackedLayer {
  const runs = new KeyRuns();
  const groups: (readonly [string, DenyAction])[] = [];
  const groupIds = new Map<string, number>();
  const days: number[] = [];
  const key = keyHalves();
  for (const e of entries) {
    if (!keyOf(e.cardNumber, key)) {
      throw new DenyListError(DenyListProblem.BadList, `card number ${JSON.stringify(e.cardNumber)} is not 1 to 19 digits`);
    }
    const action = e.action ?? 'reject';
    const day = Math.floor((e.added ?? now) / DAY_MS);
    const pairKey = `${day}\n${action}\n${e.reason}`;
    let group = groupIds.get(pairKey);
    if (group === undefined) {
      group = groups.length;
      groups.push([e.reason, action]);
      days.push(day);
      groupIds.set(pairKey, group);
    }
    runs.add(group, key[0] ?? 0, key[1] ?? 0);
  }
  const sorted = runs.sortedRuns();
  const tuples = new TupleTable([], groups);
  const image = buildImage({
    version,
    builtAt: now,
    source: { kind, sha256: null },
    tuples: tuples.tuples,
    entries: (visit) => {
      let prevHi = -1;
      let prevLo = -1;
      sorted.forEach((hi, lo, group) => {
        if (hi === prevHi && lo === prevLo) throw new DenyListError(DenyListProblem.BadList, `list ${version} names a card more than once`);
        prevHi = hi;
        prevLo = lo;
        visit(hi, lo, tuples.idFor(group, days[group] ?? 0));
      });
    },
  });
  return new PackedLayer(image, `list ${version}`);
}
