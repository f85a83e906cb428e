import type { DenyEntry, DenyList } from '../domain/deny-list.ts';
import { keyHalves, keyOf } from './card-key.ts';
import type { Tuple } from './packed-image.ts';
import type { ListCursor, PackedLayer } from './packed-layer.ts';

const DAY_MS = 86_400_000;

/**
 * The deny list in force: a base (a whole list) and, once deltas have come, an overlay holding what they
 * changed: entries that replace the base's, and 'removed' entries that hide them. A delta then costs what
 * the overlay costs to rebuild, not the ten million entries of the base; the store folds the overlay into
 * a new base when it grows (compaction). Immutable: an import makes a new LayeredDenyList.
 */
export class LayeredDenyList implements DenyList {
  readonly version: string;
  /** Cards listed. */
  readonly size: number;
  private readonly key = keyHalves();

  constructor(
    readonly base: PackedLayer,
    readonly overlay: PackedLayer | null,
  ) {
    const top = overlay ?? base;
    this.version = top.meta.version;
    this.size = top.meta.listSize;
  }

  /**
   * When this validator built the list in force from a list file (its newest image), epoch ms: the list's
   * age for status. Null for the empty list and the first slice's JSON list, which are built at each start.
   */
  get appliedAt(): number | null {
    const { meta } = this.overlay ?? this.base;
    return meta.source.kind === 'empty' || meta.source.kind === 'legacy' ? null : meta.builtAt;
  }

  lookup(cardNumber: string): DenyEntry | undefined {
    if (!keyOf(cardNumber, this.key)) return undefined;
    const hi = this.key[0] ?? 0;
    const lo = this.key[1] ?? 0;
    if (this.overlay !== null) {
      const i = this.overlay.indexOfKey(hi, lo);
      if (i >= 0) return entry(cardNumber, this.overlay.tupleAt(i));
    }
    const i = this.base.indexOfKey(hi, lo);
    return i < 0 ? undefined : entry(cardNumber, this.base.tupleAt(i));
  }

  /** The listed cards in key order, each with its tuple (merges, compaction). */
  cursor(): ListedCursor {
    return new ListedCursor(this.base, this.overlay);
  }
}

function entry(cardNumber: string, [reason, action, day]: Tuple): DenyEntry | undefined {
  return action === 'removed' ? undefined : { cardNumber, reason, action, added: day * DAY_MS };
}

/** Walks the cards a LayeredDenyList lists, in ascending key order: overlay entries win, 'removed' ones hide. */
export class ListedCursor {
  hi = 0;
  lo = 0;
  tuple: Tuple = ['', 'reject', 0];
  /** Whether the current entry is the overlay's (its attr indexes the overlay's tuples) or the base's. */
  fromOverlay = false;
  attr = 0;
  done = false;
  private readonly base: ListCursor;
  private readonly overlay: ListCursor | null;

  constructor(
    private readonly baseLayer: PackedLayer,
    private readonly overlayLayer: PackedLayer | null,
  ) {
    this.base = baseLayer.cursor();
    this.overlay = overlayLayer?.cursor() ?? null;
    this.next();
  }

  before(hi: number, lo: number): boolean {
    return this.hi < hi || (this.hi === hi && this.lo < lo);
  }

  at(hi: number, lo: number): boolean {
    return !this.done && this.hi === hi && this.lo === lo;
  }

  next(): void {
    const base = this.base;
    const overlay = this.overlay;
    for (;;) {
      const overlayDone = overlay === null || overlay.done;
      if (base.done && overlayDone) {
        this.done = true;
        return;
      }
      if (overlayDone || (!base.done && base.before(overlay.hi, overlay.lo))) {
        this.take(base, false, this.baseLayer);
        return;
      }
      if (base.at(overlay.hi, overlay.lo)) base.next();
      const tuple = this.overlayLayer?.meta.tuples[overlay.attr];
      if (tuple?.[1] === 'removed') {
        overlay.next();
        continue;
      }
      this.take(overlay, true, this.overlayLayer ?? this.baseLayer);
      return;
    }
  }

  private take(from: ListCursor, fromOverlay: boolean, layer: PackedLayer): void {
    this.hi = from.hi;
    this.lo = from.lo;
    this.attr = from.attr;
    this.fromOverlay = fromOverlay;
    this.tuple = layer.meta.tuples[from.attr] ?? this.tuple;
    from.next();
  }
}
