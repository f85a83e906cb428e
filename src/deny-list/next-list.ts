import { cardNumberOfKey } from './card-key.ts';
import { DenyListError, DenyListProblem } from './deny-list-error.ts';
import { buildImage } from './image-builder.ts';
import type { LayeredDenyList } from './layered-deny-list.ts';
import type { Tuple } from './packed-image.ts';
import { REMOVES, type ReadImport } from './read-import.ts';
import { TupleTable } from './tuple-table.ts';

const DAY_MS = 86_400_000;

/** The next list's image, and what changed. */
export interface NextImage {
  readonly image: SharedArrayBuffer;
  /** Cards listed now that were not before, and cards no longer listed. */
  readonly added: number;
  readonly removed: number;
}

/** A full list: a new base holding the file's entries; a card listed before keeps its day added. */
export function fullListBase(current: LayeredDenyList, read: ReadImport, now: number): NextImage {
  const today = Math.floor(now / DAY_MS);
  const tuples = new TupleTable([], read.groups);
  const counts = { added: 0, removed: 0 };
  let counted = false;
  const image = buildImage({
    version: read.header.version,
    builtAt: now,
    source: { kind: 'full', sha256: read.facts.sha256 },
    tuples: tuples.tuples,
    entries: (visit) => {
      const old = current.cursor();
      const unique = uniqueKeys(read.facts.path);
      let added = 0;
      read.sorted.forEach((hi, lo, group) => {
        unique(hi, lo);
        while (!old.done && old.before(hi, lo)) old.next();
        const listed = old.at(hi, lo);
        if (!listed) added++;
        visit(hi, lo, tuples.idFor(group, listed ? old.tuple[2] : today));
      });
      if (counted) return;
      counted = true;
      counts.added = added;
      counts.removed = current.size - (read.sorted.size - added);
    },
  });
  return { image, ...counts };
}

/**
 * A delta: a new overlay over the current base, holding the current overlay's entries with the delta's
 * applied. An add of a listed card changes its reason or action and keeps its day added; a remove of a card
 * the list does not hold means this list is not the backend's base version (NeedsFullList).
 */
export function deltaOverlay(current: LayeredDenyList, read: ReadImport, now: number, baseSeal: string): NextImage {
  const today = Math.floor(now / DAY_MS);
  const { base, overlay } = current;
  const groups: ((typeof read.groups)[number] | readonly [string, Tuple[1]] | undefined)[] = [...read.groups];
  groups[REMOVES] = ['', 'removed'];
  const tuples = new TupleTable(overlay?.meta.tuples ?? [], groups);
  const counts = { added: 0, removed: 0 };
  let counted = false;
  const image = buildImage({
    version: read.header.version,
    overlay: { baseSeal, listSize: () => current.size + counts.added - counts.removed },
    builtAt: now,
    source: { kind: 'delta', sha256: read.facts.sha256 },
    tuples: tuples.tuples,
    entries: (visit) => {
      const old = overlay?.cursor() ?? null;
      const oldTuples = overlay?.meta.tuples ?? [];
      const unique = uniqueKeys(read.facts.path);
      let added = 0;
      let removed = 0;
      read.sorted.forEach((hi, lo, group) => {
        unique(hi, lo);
        for (; old !== null && !old.done && old.before(hi, lo); old.next()) visit(old.hi, old.lo, old.attr);
        const inBase = base.indexOfKey(hi, lo);
        // The day the card was listed, or null when the list in force does not list it.
        let listedDay: number | null = inBase >= 0 ? base.tupleAt(inBase)[2] : null;
        if (old?.at(hi, lo)) {
          const tuple = oldTuples[old.attr];
          listedDay = tuple === undefined || tuple[1] === 'removed' ? null : tuple[2];
          old.next();
        }
        if (group !== REMOVES) {
          if (listedDay === null) added++;
          visit(hi, lo, tuples.idFor(group, listedDay ?? today));
          return;
        }
        if (listedDay === null) {
          throw new DenyListError(
            DenyListProblem.NeedsFullList,
            `${read.facts.path} removes card ${cardNumberOfKey(hi, lo)}, which version ${current.version} does not list: this validator's list differs from the backend's; needs full list`,
          );
        }
        removed++;
        // Hide the base's entry; a card only the overlay listed just leaves it.
        if (inBase >= 0) visit(hi, lo, tuples.idFor(REMOVES, 0));
      });
      for (; old !== null && !old.done; old.next()) visit(old.hi, old.lo, old.attr);
      if (counted) return;
      counted = true;
      counts.added = added;
      counts.removed = removed;
    },
  });
  return { image, ...counts };
}

/** The list in force as one base, overlay folded in: same version, same entries. */
export function compactedBase(current: LayeredDenyList, now: number): SharedArrayBuffer {
  const tuples = new TupleTable(current.base.meta.tuples, []);
  const overlayTuples = current.overlay?.meta.tuples ?? [];
  const remap = new Int32Array(overlayTuples.length).fill(-1);
  return buildImage({
    version: current.version,
    builtAt: now,
    source: { kind: 'compaction', sha256: null },
    tuples: tuples.tuples,
    entries: (visit) => {
      for (const c = current.cursor(); !c.done; c.next()) {
        if (!c.fromOverlay) {
          visit(c.hi, c.lo, c.attr);
          continue;
        }
        let id = remap[c.attr] ?? -1;
        if (id < 0) {
          id = tuples.idOf(c.tuple);
          remap[c.attr] = id;
        }
        visit(c.hi, c.lo, id);
      }
    },
  });
}

/** A check that keys arrive strictly ascending: an equal key is a card the file names twice. */
function uniqueKeys(path: string): (hi: number, lo: number) => void {
  let prevHi = -1;
  let prevLo = -1;
  return (hi, lo) => {
    if (hi === prevHi && lo === prevLo) {
      throw new DenyListError(DenyListProblem.BadList, `${path} names card ${cardNumberOfKey(hi, lo)} more than once; each card may appear once`);
    }
    prevHi = hi;
    prevLo = lo;
  };
}
