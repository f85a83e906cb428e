import { createHash } from 'node:crypto';
import { DenyListError, DenyListProblem } from './deny-list-error.ts';
import { MAX_LIST_ENTRIES } from './list-header.ts';
import { allocateImage, HASH_BYTES, type ImageMeta, type Tuple } from './packed-image.ts';

const TWO_16 = 65_536;
const BUCKET_BYTES = 12;

/** Calls `visit` for every entry in strictly ascending key order; may be called more than once. */
export type SortedEntries = (visit: (hi: number, lo: number, tuple: number) => void) => void;

export interface ImageInput {
  readonly version: string;
  /** For an overlay: the seal of its base and the cards listed by both (asked after the first pass); absent for a base. */
  readonly overlay?: { readonly baseSeal: string; readonly listSize: () => number };
  readonly builtAt: number;
  readonly source: ImageMeta['source'];
  /**
   * The tuples entries refer to by index; those no entry uses are left out of the image. Read after the
   * first pass over the entries, which may append to it.
   */
  readonly tuples: readonly Tuple[];
  readonly entries: SortedEntries;
}

/**
 * Builds a sealed image in two passes over the entries: the first counts them and the buckets each key
 * split would need and picks the smaller, the second fills the sections.
 */
export function buildImage(input: ImageInput): SharedArrayBuffer {
  let count = 0;
  let buckets16 = 0;
  let buckets32 = 0;
  let lastHi = -1;
  let lastLo = -1;
  let lastHigh16 = -1;
  const used: number[] = [];
  input.entries((hi, lo, tuple) => {
    if (hi < lastHi || (hi === lastHi && lo <= lastLo)) throw new Error(`deny-list builder: key ${hi}:${lo} after ${lastHi}:${lastLo}`);
    if (hi !== lastHi) buckets32++;
    const high16 = hi * TWO_16 + Math.floor(lo / TWO_16);
    if (high16 !== lastHigh16) buckets16++;
    lastHi = hi;
    lastLo = lo;
    lastHigh16 = high16;
    used[tuple] = 1;
    count++;
  });

  const remap = new Int32Array(input.tuples.length).fill(-1);
  const tuples: Tuple[] = [];
  input.tuples.forEach((t, i) => {
    if (used[i] !== 1) return;
    remap[i] = tuples.length;
    tuples.push(t);
  });
  if (count > MAX_LIST_ENTRIES) {
    throw new DenyListError(DenyListProblem.BadList, `the list would have ${count} entries; the validator holds at most ${MAX_LIST_ENTRIES}`);
  }
  if (tuples.length > TWO_16) {
    throw new DenyListError(
      DenyListProblem.BadList,
      `the list would have ${tuples.length} different reason, action and day-added combinations; the validator keeps at most ${TWO_16}. Use fewer reason codes`,
    );
  }
  const wide = 4 * count + BUCKET_BYTES * buckets32 < 2 * count + BUCKET_BYTES * buckets16;
  const meta: ImageMeta = {
    version: input.version,
    layer: input.overlay ? 'overlay' : 'base',
    baseSeal: input.overlay?.baseSeal ?? null,
    listSize: input.overlay?.listSize() ?? count,
    count,
    buckets: wide ? buckets32 : buckets16,
    lowBits: wide ? 32 : 16,
    attrBytes: tuples.length <= 256 ? 1 : 2,
    tuples,
    builtAt: input.builtAt,
    source: input.source,
  };

  const { image, views } = allocateImage(meta);
  const { highs, offsets, lows, attrs } = views;
  let i = 0;
  let bucket = -1;
  let lastHigh = -1;
  input.entries((hi, lo, tuple) => {
    const high = wide ? hi : hi * TWO_16 + Math.floor(lo / TWO_16);
    if (high !== lastHigh) {
      bucket++;
      highs[bucket] = high;
      offsets[bucket] = i;
      lastHigh = high;
    }
    lows[i] = wide ? lo : lo % TWO_16;
    attrs[i] = remap[tuple] ?? 0;
    i++;
  });
  if (i !== count) throw new Error(`deny-list builder: the entries changed between passes (${count}, then ${i})`);
  offsets[meta.buckets] = count;
  sealImage(image);
  return image;
}

/** Writes the SHA-256 of everything before the last 32 bytes into them. */
export function sealImage(image: SharedArrayBuffer): void {
  const bytes = new Uint8Array(image);
  const end = bytes.length - HASH_BYTES;
  bytes.set(createHash('sha256').update(bytes.subarray(0, end)).digest(), end);
}

/** True when the image's last 32 bytes are the SHA-256 of the rest. */
export function sealIsIntact(image: SharedArrayBuffer): boolean {
  const bytes = new Uint8Array(image);
  const end = bytes.length - HASH_BYTES;
  if (end < 0) return false;
  const digest = createHash('sha256').update(bytes.subarray(0, end)).digest();
  return Buffer.from(bytes.subarray(end)).equals(digest);
}
