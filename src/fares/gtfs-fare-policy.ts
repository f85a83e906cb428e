import type { CardData, LastTrip } from '../domain/card.ts';
import { ErrorCode, ValidatorError } from '../domain/errors.ts';
import type { FarePolicy, FareQuote } from '../domain/fare-policy.ts';
import { Reason } from '../domain/reasons.ts';
import type { TapContext } from '../domain/tap-context.ts';
import { CARD_MAX_AMOUNT, CARD_MAX_TRANSFERS } from './card-limits.ts';
import type { FareBundle } from './fare-bundle.ts';
import { cheapestCharge, type LegsAt, type Payer, type PricedLeg } from './transfer-fare.ts';

export interface GtfsFarePolicyOptions {
  /** The same card on the same vehicle within this window is "already paid" (default 10 s). */
  readonly repeatWindowMs?: number;
  /** How far below zero a balance may go, rials (default 0: none). */
  readonly negativeAllowance?: number;
  /** The card's fare_media_id; default: the bundle's only transit card (fare_media_type 2). */
  readonly medium?: string;
  /** Card category id → rider_category_id where they differ; any other category id is its own rider_category_id. */
  readonly categories?: Readonly<Record<string, string>>;
}

const ALREADY_PAID: FareQuote = { result: 'accept', reason: Reason.AlreadyPaid, amount: 0, transfer: false, lastTrip: null };

/**
 * The GTFS-Fares v2 engine: one bundle's fare rules applied to a tap at the boarding door. Pure: card,
 * context and time in, a quote out; the same code decides a real tap and each line of `validator fares quote`.
 */
export class GtfsFarePolicy implements FarePolicy {
  readonly version: string;
  readonly medium: string;
  private readonly repeatWindowMs: number;
  private readonly negativeAllowance: number;
  private readonly categoryMap: Readonly<Record<string, string>>;

  constructor(
    readonly bundle: FareBundle,
    options: GtfsFarePolicyOptions = {},
  ) {
    this.version = bundle.version;
    this.repeatWindowMs = options.repeatWindowMs ?? 10_000;
    this.negativeAllowance = options.negativeAllowance ?? 0;
    this.categoryMap = options.categories ?? {};
    if (!Number.isSafeInteger(this.repeatWindowMs) || this.repeatWindowMs < 0) {
      throw new ValidatorError(ErrorCode.ConfigInvalid, `repeat window ${this.repeatWindowMs} ms: a whole number of milliseconds ≥ 0 is expected`);
    }
    if (!Number.isSafeInteger(this.negativeAllowance) || this.negativeAllowance < 0) {
      throw new ValidatorError(ErrorCode.ConfigInvalid, `negative allowance ${this.negativeAllowance}: whole rials ≥ 0 are expected`);
    }
    const medium = options.medium ?? bundle.cardMedium;
    if (medium === null) {
      const cards = [...bundle.media.values()].filter((m) => m.type === 2).map((m) => m.id);
      throw new ValidatorError(ErrorCode.ConfigInvalid, `fare bundle ${bundle.version} has several transit cards (${cards.join(', ')}): name the Qom Card's fare_media_id`);
    }
    if (!bundle.media.has(medium)) {
      throw new ValidatorError(ErrorCode.ConfigInvalid, `fare medium ${medium} is not in fare bundle ${bundle.version} (it has ${[...bundle.media.keys()].join(', ')})`);
    }
    this.medium = medium;
    for (const [card, rider] of Object.entries(this.categoryMap)) {
      if (!bundle.categories.has(rider)) {
        throw new ValidatorError(ErrorCode.ConfigInvalid, `card category ${card} maps to rider category ${rider}, which fare bundle ${bundle.version} does not have`);
      }
    }
  }

  quote(card: CardData, context: TapContext, now: number): FareQuote {
    const category = this.categoryMap[card.category] ?? card.category;
    if (!this.bundle.categories.has(category)) return reject(Reason.UnknownCategory);
    const payer: Payer = { category, medium: this.medium };

    const last = card.lastTrip;
    const sameVehicle = last !== null && last.vehicle === context.vehicle;
    if (sameVehicle) {
      // The card keeps whole seconds: compare at that resolution so a repeat is not missed by rounding.
      const sinceLast = Math.floor(now / 1000) * 1000 - last.time;
      if (sinceLast >= 0 && sinceLast < this.repeatWindowMs) return ALREADY_PAID;
    }

    const boarding = this.legsAt(context.route, context.stop, now, payer);
    if (boarding.length === 0) return reject(Reason.NoFare);
    // Another tap on the same bus after the repeat window is another rider (families share a card), never a transfer.
    const { amount, transfer } = cheapestCharge(this.bundle, sameVehicle ? null : last, boarding, payer, now, this.legsAt);

    // Only a type 1 transfer (A + AB + B) can add up past what the card records; refusing beats a failed write.
    if (amount > CARD_MAX_AMOUNT) return reject(Reason.NoFare);
    // A free boarding is never refused for the balance; a paid one may take the balance down to the allowance.
    if (amount > 0 && card.balance - amount < -this.negativeAllowance) return reject(Reason.InsufficientBalance);
    return { result: 'accept', reason: Reason.Ok, amount, transfer, lastTrip: nextTrip(context, now, amount, transfer ? last : null) };
  }

  /** The leg rules a boarding matches at the highest rule_priority, each with its price for the payer; unpriced ones dropped. */
  private readonly legsAt: LegsAt = (route, stop, time, payer) => {
    const { legs, timeframes, clock, prices } = this.bundle;
    let moment: ReturnType<typeof clock.at> | null = null;
    const rules = legs.match(route, stop, (group) => timeframes.contains(group, (moment ??= clock.at(time))));
    const priced: PricedLeg[] = [];
    for (const rule of rules) {
      const amount = prices.price(rule.productId, payer.category, payer.medium);
      if (amount !== undefined) priced.push({ rule, amount });
    }
    return priced;
  };
}

/** The chain record to write: a transfer continues the last trip's chain, anything else starts one. */
function nextTrip(context: TapContext, now: number, amount: number, continues: LastTrip | null): LastTrip {
  return {
    time: now,
    route: context.route ?? '',
    stop: context.stop,
    amount,
    vehicle: context.vehicle,
    device: context.device,
    // Saturates: with transfer_count -1 a chain can outgrow the card's field, and 127 still reads as "many".
    transfersUsed: continues ? Math.min(CARD_MAX_TRANSFERS, continues.transfersUsed + 1) : 0,
    chainStart: continues ? continues.chainStart : now,
  };
}

function reject(reason: Reason): FareQuote {
  return { result: 'reject', reason, amount: 0, transfer: false, lastTrip: null };
}
