import { openImage, type ImageMeta, type ImageViews, type Tuple } from './packed-image.ts';

const TWO_16 = 65_536;

/** One immutable layer of a deny list (a base or an overlay) over a packed image: two binary searches per lookup. */
export class PackedLayer {
  readonly meta: ImageMeta;
  private readonly views: ImageViews;

  /** `source` names the image in errors (the snapshot's path). */
  constructor(
    readonly image: SharedArrayBuffer,
    source: string,
  ) {
    this.views = openImage(image, source);
    this.meta = this.views.meta;
  }

  /** Entries in this layer. */
  get count(): number {
    return this.meta.count;
  }

  /** The position in key order of the entry with this key (card-key.ts), or −1. */
  indexOfKey(hi: number, lo: number): number {
    const { highs, offsets, lows, meta } = this.views;
    const wide = meta.lowBits === 32;
    const high = wide ? hi : hi * TWO_16 + Math.floor(lo / TWO_16);
    const low = wide ? lo : lo % TWO_16;

    let a = 0;
    let b = highs.length - 1;
    let bucket = -1;
    while (a <= b) {
      const m = (a + b) >>> 1;
      const v = highs[m] ?? 0;
      if (v < high) a = m + 1;
      else if (v > high) b = m - 1;
      else {
        bucket = m;
        break;
      }
    }
    if (bucket < 0) return -1;
    a = offsets[bucket] ?? 0;
    b = (offsets[bucket + 1] ?? 0) - 1;
    while (a <= b) {
      const m = (a + b) >>> 1;
      const v = lows[m] ?? 0;
      if (v < low) a = m + 1;
      else if (v > low) b = m - 1;
      else return m;
    }
    return -1;
  }

  /** Reason, action and day added of the entry at position i. */
  tupleAt(i: number): Tuple {
    const tuple = this.meta.tuples[this.views.attrs[i] ?? -1];
    // openImage checked the structure and the builder or snapshot load checked every attr (checkEntries).
    if (tuple === undefined) throw new RangeError(`deny-list entry ${i} has no attributes`);
    return tuple;
  }

  /** A cursor at the first entry, for walking the list in key order beside another sorted stream. */
  cursor(): ListCursor {
    return new ListCursor(this.views);
  }
}

/** Walks a packed list in ascending key order: the current entry's key halves and attribute index. */
export class ListCursor {
  hi = 0;
  lo = 0;
  attr = 0;
  done = false;
  private bucket = -1;
  private i = -1;
  private bucketEnd = 0;

  constructor(private readonly views: ImageViews) {
    this.next();
  }

  /** True when the current entry's key is below [hi, lo]. */
  before(hi: number, lo: number): boolean {
    return this.hi < hi || (this.hi === hi && this.lo < lo);
  }

  at(hi: number, lo: number): boolean {
    return !this.done && this.hi === hi && this.lo === lo;
  }

  next(): void {
    const { highs, offsets, lows, attrs, meta } = this.views;
    this.i++;
    if (this.i >= this.bucketEnd) {
      this.bucket++;
      if (this.bucket >= highs.length) {
        this.done = true;
        return;
      }
      this.bucketEnd = offsets[this.bucket + 1] ?? 0;
    }
    const high = highs[this.bucket] ?? 0;
    const low = lows[this.i] ?? 0;
    if (meta.lowBits === 32) {
      this.hi = high;
      this.lo = low;
    } else {
      this.hi = Math.floor(high / TWO_16);
      this.lo = (high % TWO_16) * TWO_16 + low;
    }
    this.attr = attrs[this.i] ?? 0;
  }
}
