import { LegIndex } from './leg-index.ts';
import { ZoneClock } from './local-time.ts';
import type { CheckedManifest } from './manifest.ts';
import { PriceIndex } from './price-index.ts';
import { StopIndex } from '../stops/stop-index.ts';
import type { LegRules } from './read-leg-rules.ts';
import type { Places } from './read-places.ts';
import type { FareMedium, Products, RiderCategory } from './read-products.ts';
import type { TransferRule } from './read-transfer-rules.ts';
import type { Timeframes } from './timeframes.ts';
import { TransferIndex } from './transfer-index.ts';

/** What `validator fares check` prints about a valid bundle. */
export interface FareBundleSummary {
  readonly version: string;
  readonly effectiveFrom: string;
  readonly currency: string;
  readonly timeZone: string;
  readonly cardMedium: string | null;
  readonly products: readonly { readonly id: string; readonly name: string; readonly prices: readonly string[] }[];
  readonly categories: readonly string[];
  readonly legRules: number;
  readonly transferRules: number;
  readonly timeframeGroups: number;
  readonly priorityMode: boolean;
}

/** A checked fare bundle compiled for deciding taps: everything indexed, nothing left to parse. */
export class FareBundle {
  readonly version: string;
  /** Epoch milliseconds from which the bundle is in force. */
  readonly effectiveFrom: number;
  readonly timeZone: string;
  /** The only transit-card medium (fare_media_type 2), or null when there are several to choose from. */
  readonly cardMedium: string | null;
  readonly media: ReadonlyMap<string, FareMedium>;
  readonly categories: ReadonlyMap<string, RiderCategory>;
  readonly legs: LegIndex;
  readonly transfers: TransferIndex;
  readonly prices: PriceIndex;
  readonly timeframes: Timeframes;
  readonly clock: ZoneClock;
  /** The boarding stops with a position: GPS finds the current stop among them. */
  readonly stops: StopIndex;
  /** The routes route_networks.txt places in a network; any other route pays only the network-less rules. */
  readonly routes: ReadonlySet<string>;
  readonly summary: FareBundleSummary;

  constructor(parts: {
    readonly manifest: CheckedManifest;
    readonly places: Places;
    readonly products: Products;
    readonly legs: LegRules;
    readonly transfers: readonly TransferRule[];
    readonly timeframes: Timeframes;
  }) {
    const { manifest, products } = parts;
    this.version = manifest.version;
    this.effectiveFrom = manifest.effectiveFromMs;
    this.timeZone = manifest.timezone;
    const cards = [...products.media.values()].filter((m) => m.type === 2);
    this.cardMedium = cards.length === 1 ? (cards[0]?.id ?? null) : null;
    this.media = products.media;
    this.categories = products.categories;
    this.legs = new LegIndex(parts.legs, parts.places);
    this.transfers = new TransferIndex(parts.transfers);
    this.prices = new PriceIndex(products.prices);
    this.timeframes = parts.timeframes;
    this.clock = new ZoneClock(manifest.timezone);
    this.stops = new StopIndex(parts.places.stopPoints);
    this.routes = new Set(parts.places.routeNetwork.keys());
    this.summary = {
      version: manifest.version,
      effectiveFrom: manifest.effectiveFrom,
      currency: manifest.currency,
      timeZone: manifest.timezone,
      cardMedium: this.cardMedium,
      products: [...products.prices].map(([id, rows]) => ({
        id,
        name: rows[0]?.name ?? id,
        prices: rows.map((p) => `${p.categoryId ?? 'any category'}/${p.mediumId ?? 'any medium'} ${p.amount}`),
      })),
      categories: [...products.categories.keys()],
      legRules: parts.legs.rules.length,
      transferRules: parts.transfers.length,
      timeframeGroups: parts.timeframes.size,
      priorityMode: parts.legs.priorityMode,
    };
  }
}
