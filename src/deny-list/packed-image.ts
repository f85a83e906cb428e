import type { DenyAction } from '../domain/deny-list.ts';
import { DenyListError, DenyListProblem } from './deny-list-error.ts';

/**
 * The deny list in memory and on disk: one byte image, so that loading the snapshot is one read and one
 * hash, and the import worker hands a finished list to the main thread without a copy (SharedArrayBuffer).
 *
 *   0   "QDLSNAP\0"                      magic
 *   8   u32 LE format (1)
 *   12  u32 LE length of the meta JSON
 *   16  meta JSON (ImageMeta), UTF-8, zero-padded to a multiple of 8
 *   …   highs    f64[buckets]             distinct key >> lowBits, ascending
 *   …   offsets  u32[buckets + 1]         entries of bucket b are offsets[b] … offsets[b+1]−1
 *   …   lows     u16[count] | u32[count]  key & (2^lowBits − 1), ascending within a bucket
 *   …   attrs    u8[count]  | u16[count]  index into meta.tuples
 *   end−32  SHA-256 of every byte before it
 * Every section starts at a multiple of 8 (zero padding); little-endian, as on every board we run on.
 *
 * A realistic list (16-digit numbers of one issuer) puts tens of keys in each 2^16 bucket, so an entry
 * costs 2 bytes of low key, 1 or 2 of attributes and a share of a 12-byte bucket: about 4.5 bytes.
 * The builder picks lowBits 32 instead when the keys are too sparse for 16 to pay.
 */
export const IMAGE_MAGIC = 'QDLSNAP\0';
export const IMAGE_FORMAT = 1;
export const HASH_BYTES = 32;
const PREFIX_BYTES = 16;

/** Reason, action and day added (UTC days since 1970) shared by many entries; 'removed' only in an overlay. */
export type Tuple = readonly [reason: string, action: DenyAction | 'removed', day: number];

/**
 * A list is a base image (a whole list) and at most one overlay image: the deltas applied since the base
 * was written, as entries that replace the base's and 'removed' entries that hide them (layered-deny-list.ts).
 */
export interface ImageMeta {
  /** The version of the list this image completes: for an overlay, the last delta's. */
  readonly version: string;
  readonly layer: 'base' | 'overlay';
  /** An overlay's base: the seal of the base image it applies to; null for a base. */
  readonly baseSeal: string | null;
  /** Cards listed by the base and this overlay together (for a base, its count). */
  readonly listSize: number;
  /** Entries in this image. */
  readonly count: number;
  readonly buckets: number;
  readonly lowBits: 16 | 32;
  readonly attrBytes: 1 | 2;
  readonly tuples: readonly Tuple[];
  /** When this image was built, epoch ms. */
  readonly builtAt: number;
  /** The list file it was built from: its kind and SHA-256, for the log and the sync client. */
  readonly source: { readonly kind: 'full' | 'delta' | 'compaction' | 'legacy' | 'empty'; readonly sha256: string | null };
}

/** Typed views over an image. */
export interface ImageViews {
  readonly meta: ImageMeta;
  readonly highs: Float64Array;
  readonly offsets: Uint32Array;
  readonly lows: Uint16Array | Uint32Array;
  readonly attrs: Uint8Array | Uint16Array;
}

const align8 = (n: number): number => Math.ceil(n / 8) * 8;

/** Where each section starts, and the image's total length. */
export function layout(metaBytes: number, m: Pick<ImageMeta, 'count' | 'buckets' | 'lowBits' | 'attrBytes'>) {
  const highs = align8(PREFIX_BYTES + metaBytes);
  const offsets = highs + 8 * m.buckets;
  const lows = align8(offsets + 4 * (m.buckets + 1));
  const attrs = align8(lows + (m.lowBits / 8) * m.count);
  const hash = align8(attrs + m.attrBytes * m.count);
  return { highs, offsets, lows, attrs, hash, total: hash + HASH_BYTES };
}

/** A zeroed image with its prefix and meta written; the caller fills the sections and the hash. */
export function allocateImage(meta: ImageMeta): { image: SharedArrayBuffer; views: ImageViews } {
  const json = Buffer.from(JSON.stringify(meta), 'utf8');
  const at = layout(json.length, meta);
  const image = new SharedArrayBuffer(at.total);
  const bytes = new Uint8Array(image);
  bytes.set(Buffer.from(IMAGE_MAGIC, 'latin1'), 0);
  const prefix = new DataView(image);
  prefix.setUint32(8, IMAGE_FORMAT, true);
  prefix.setUint32(12, json.length, true);
  bytes.set(json, PREFIX_BYTES);
  return { image, views: viewsAt(image, meta, at) };
}

/** The views of an image, after checking its structure (not its hash: see snapshot-file.ts). */
export function openImage(image: SharedArrayBuffer, source: string): ImageViews {
  const damaged = (what: string): never => {
    throw new DenyListError(DenyListProblem.SnapshotDamaged, `deny-list snapshot ${source} is damaged: ${what}`);
  };
  if (image.byteLength < PREFIX_BYTES + HASH_BYTES) return damaged(`only ${image.byteLength} bytes`);
  const bytes = new Uint8Array(image);
  if (Buffer.from(bytes.subarray(0, 8)).toString('latin1') !== IMAGE_MAGIC) return damaged('not a deny-list snapshot (wrong magic)');
  const prefix = new DataView(image);
  const format = prefix.getUint32(8, true);
  if (format !== IMAGE_FORMAT) return damaged(`format ${format}; this validator reads format ${IMAGE_FORMAT}`);
  const metaBytes = prefix.getUint32(12, true);
  if (PREFIX_BYTES + metaBytes > image.byteLength) return damaged('meta runs past the end');
  let meta: ImageMeta;
  try {
    meta = JSON.parse(Buffer.from(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + metaBytes)).toString('utf8')) as ImageMeta;
  } catch (e) {
    return damaged(`meta is not JSON (${(e as Error).message})`);
  }
  const problem = metaProblem(meta);
  if (problem !== null) return damaged(problem);
  const at = layout(metaBytes, meta);
  if (at.total !== image.byteLength) return damaged(`${image.byteLength} bytes where its meta needs ${at.total}`);
  const views = viewsAt(image, meta, at);
  const last = views.offsets[meta.buckets];
  if (views.offsets[0] !== 0 || last !== meta.count) return damaged('bucket offsets do not cover the entries');
  return views;
}

function viewsAt(image: SharedArrayBuffer, meta: ImageMeta, at: ReturnType<typeof layout>): ImageViews {
  return {
    meta,
    highs: new Float64Array(image, at.highs, meta.buckets),
    offsets: new Uint32Array(image, at.offsets, meta.buckets + 1),
    lows: meta.lowBits === 16 ? new Uint16Array(image, at.lows, meta.count) : new Uint32Array(image, at.lows, meta.count),
    attrs: meta.attrBytes === 1 ? new Uint8Array(image, at.attrs, meta.count) : new Uint16Array(image, at.attrs, meta.count),
  };
}

function metaProblem(m: ImageMeta): string | null {
  if (typeof m !== 'object' || m === null) return 'meta is not an object';
  if (typeof m.version !== 'string' || m.version === '') return 'meta has no version';
  if (m.layer !== 'base' && m.layer !== 'overlay') return `layer ${String(m.layer)}`;
  if ((m.layer === 'base') !== (m.baseSeal === null) || (m.baseSeal !== null && typeof m.baseSeal !== 'string')) return 'baseSeal does not fit the layer';
  const whole = (n: unknown): boolean => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  if (!whole(m.count) || !whole(m.listSize) || !whole(m.buckets) || m.buckets > m.count) return 'meta counts are not whole numbers';
  if (m.lowBits !== 16 && m.lowBits !== 32) return `lowBits ${String(m.lowBits)}`;
  if (m.attrBytes !== 1 && m.attrBytes !== 2) return `attrBytes ${String(m.attrBytes)}`;
  if (!Array.isArray(m.tuples) || m.tuples.length > 2 ** (8 * m.attrBytes)) return 'meta tuples are not a list that fits attrBytes';
  for (const t of m.tuples) {
    const action: unknown = Array.isArray(t) ? t[1] : null;
    const known = action === 'reject' || action === 'block' || (action === 'removed' && m.layer === 'overlay');
    if (!Array.isArray(t) || typeof t[0] !== 'string' || !known || !whole(t[2])) return 'a meta tuple is not [reason, action, day]';
  }
  return null;
}

/**
 * Checks what the hash cannot vouch for, once per image before it serves taps (a builder bug must not
 * reach a lookup): keys strictly ascending, every bucket used, every attribute a known tuple.
 */
export function checkEntries(views: ImageViews, source: string): void {
  const { highs, offsets, lows, attrs, meta } = views;
  const damaged = (what: string): never => {
    throw new DenyListError(DenyListProblem.SnapshotDamaged, `deny-list snapshot ${source} is damaged: ${what}`);
  };
  for (let b = 0; b < highs.length; b++) {
    const start = offsets[b] ?? 0;
    const end = offsets[b + 1] ?? 0;
    if (end <= start) damaged(`bucket ${b} is empty or reversed`);
    if (b > 0 && (highs[b] ?? 0) <= (highs[b - 1] ?? 0)) damaged(`bucket ${b} is out of order`);
    for (let i = start + 1; i < end; i++) if ((lows[i] ?? 0) <= (lows[i - 1] ?? 0)) damaged(`entry ${i} is out of order`);
  }
  const tuples = meta.tuples.length;
  for (let i = 0; i < attrs.length; i++) if ((attrs[i] ?? 0) >= tuples) damaged(`entry ${i} names attributes ${attrs[i]} of ${tuples}`);
}
