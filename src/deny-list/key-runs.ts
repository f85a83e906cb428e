/**
 * Card keys collected per group (one group per reason and action of the file) and sorted with the engine's
 * native BigUint64Array sort, then merged back into one ascending stream that still knows each key's group.
 * A key is 8 bytes while it waits; no per-card object or BigInt is made.
 */

const CHUNK_KEYS = 1 << 16;
const EMPTY = new Uint32Array(0);

/** Keys of one group, ascending: `words` views `keys` as [lo, hi] pairs (little-endian). */
interface Run {
  readonly words: Uint32Array;
  readonly length: number;
  readonly group: number;
}

export class KeyRuns {
  private readonly chunks: Uint32Array[][] = [];
  private readonly counts: number[] = [];
  private total = 0;

  get size(): number {
    return this.total;
  }

  add(group: number, hi: number, lo: number): void {
    let chunks = this.chunks[group];
    if (chunks === undefined) {
      for (let g = this.chunks.length; g <= group; g++) {
        this.chunks.push([]);
        this.counts.push(0);
      }
      chunks = this.chunks[group] ?? [];
    }
    const count = this.counts[group] ?? 0;
    const at = count % CHUNK_KEYS;
    if (at === 0) chunks.push(new Uint32Array(2 * CHUNK_KEYS));
    const chunk = chunks[chunks.length - 1] ?? new Uint32Array(0);
    chunk[2 * at] = lo;
    chunk[2 * at + 1] = hi;
    this.counts[group] = count + 1;
    this.total++;
  }

  /** Sorts each group's keys; the result merges them in key order. Empties this collection. */
  sortedRuns(): SortedKeys {
    const runs: Run[] = [];
    for (let group = 0; group < this.chunks.length; group++) {
      const length = this.counts[group] ?? 0;
      if (length === 0) continue;
      const keys = new BigUint64Array(length);
      const words = new Uint32Array(keys.buffer);
      const chunks = this.chunks[group] ?? [];
      for (let c = 0; c < chunks.length; c++) {
        const chunk = chunks[c] ?? new Uint32Array(0);
        const n = Math.min(CHUNK_KEYS, length - c * CHUNK_KEYS);
        words.set(n === CHUNK_KEYS ? chunk : chunk.subarray(0, 2 * n), 2 * c * CHUNK_KEYS);
        chunks[c] = new Uint32Array(0);
      }
      keys.sort();
      runs.push({ words, length, group });
    }
    this.chunks.length = 0;
    this.counts.length = 0;
    return new SortedKeys(runs);
  }
}

/**
 * Sorted runs, merged on demand as often as needed (the image builder reads them twice). A key that is in
 * the file twice comes out twice in a row: the caller reports it.
 */
export class SortedKeys {
  constructor(private readonly runs: readonly Run[]) {}

  get size(): number {
    return this.runs.reduce((n, r) => n + r.length, 0);
  }

  forEach(visit: (hi: number, lo: number, group: number) => void): void {
    const runs = this.runs.filter((r) => r.length > 0);
    const k = runs.length;
    // Each run's next key, kept beside the heap so that a comparison reads two typed arrays.
    const hiOf = new Float64Array(k);
    const loOf = new Float64Array(k);
    const pos = new Uint32Array(k);
    const words = runs.map((r) => r.words);
    const lengths = runs.map((r) => r.length);
    const groups = runs.map((r) => r.group);
    const load = (r: number): void => {
      const w = words[r] ?? EMPTY;
      const p = pos[r] ?? 0;
      hiOf[r] = w[2 * p + 1] ?? 0;
      loOf[r] = w[2 * p] ?? 0;
    };
    // A binary heap of run indexes ordered by next key.
    const heap = new Int32Array(k);
    let size = 0;
    const less = (a: number, b: number): boolean => {
      const ha = hiOf[a] ?? 0;
      const hb = hiOf[b] ?? 0;
      return ha < hb || (ha === hb && (loOf[a] ?? 0) < (loOf[b] ?? 0));
    };
    const down = (from: number): void => {
      let i = from;
      for (;;) {
        const l = 2 * i + 1;
        let m = i;
        if (l < size && less(heap[l] ?? 0, heap[m] ?? 0)) m = l;
        if (l + 1 < size && less(heap[l + 1] ?? 0, heap[m] ?? 0)) m = l + 1;
        if (m === i) return;
        const t = heap[i] ?? 0;
        heap[i] = heap[m] ?? 0;
        heap[m] = t;
        i = m;
      }
    };
    for (let r = 0; r < k; r++) {
      load(r);
      heap[size++] = r;
    }
    for (let i = (size >> 1) - 1; i >= 0; i--) down(i);
    while (size > 0) {
      const r = heap[0] ?? 0;
      visit(hiOf[r] ?? 0, loOf[r] ?? 0, groups[r] ?? 0);
      const next = (pos[r] ?? 0) + 1;
      pos[r] = next;
      if (next < (lengths[r] ?? 0)) load(r);
      else heap[0] = heap[--size] ?? 0;
      down(0);
    }
  }
}
