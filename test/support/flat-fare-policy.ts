import type { CardData } from '../../src/domain/card.ts';
import type { FarePolicy, FareQuote } from '../../src/domain/fare-policy.ts';
import { Reason } from '../../src/domain/reasons.ts';
import type { TapContext } from '../../src/domain/tap-context.ts';

export interface FlatFareRules {
  readonly version: string;
  /** Full fare of one boarding, integer rials. */
  readonly baseFare: number;
  /** Discount in whole percent per rider category; a category not listed here is unknown. */
  readonly categories: Readonly<Record<string, { readonly discountPercent: number }>>;
  /** The same card on the same vehicle within this window is "already paid". */
  readonly repeatWindowMs: number;
  /** How far below zero a balance may go, rials (0: none). */
  readonly negativeAllowance: number;
}

/** One fare per boarding with a per-category discount; the stand-in until GTFS-Fares lands. */
export class FlatFarePolicy implements FarePolicy {
  readonly version: string;

  constructor(private readonly rules: FlatFareRules) {
    this.version = rules.version;
  }

  quote(card: CardData, context: TapContext, now: number): FareQuote {
    const category = this.rules.categories[card.category];
    if (!category) return reject(Reason.UnknownCategory);

    const last = card.lastTrip;
    if (last && last.vehicle === context.vehicle) {
      // The card keeps whole seconds: compare at that resolution so a repeat is not missed by rounding.
      const sinceLast = Math.floor(now / 1000) * 1000 - last.time;
      if (sinceLast >= 0 && sinceLast < this.rules.repeatWindowMs) {
        return { result: 'accept', reason: Reason.AlreadyPaid, amount: 0, transfer: false, lastTrip: null };
      }
    }

    const amount = discounted(this.rules.baseFare, category.discountPercent);
    if (card.balance - amount < -this.rules.negativeAllowance) return reject(Reason.InsufficientBalance);

    return {
      result: 'accept',
      reason: Reason.Ok,
      amount,
      transfer: false,
      lastTrip: {
        time: now,
        route: context.route ?? '',
        stop: context.stop,
        amount,
        vehicle: context.vehicle,
        device: context.device,
        transfersUsed: 0,
        chainStart: now,
      },
    };
  }
}

/** Whole rials, half up: money never becomes a fraction. */
function discounted(base: number, percent: number): number {
  return Math.round((base * (100 - percent)) / 100);
}

function reject(reason: Reason): FareQuote {
  return { result: 'reject', reason, amount: 0, transfer: false, lastTrip: null };
}
