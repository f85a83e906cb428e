import type { LastTrip } from '../domain/card.ts';
import type { FareBundle } from './fare-bundle.ts';
import type { LegRule } from './read-leg-rules.ts';
import type { TransferRule } from './read-transfer-rules.ts';

/** A leg rule that matches this boarding, with what its product costs the rider. */
export interface PricedLeg {
  readonly rule: LegRule;
  readonly amount: number;
}

/** Who is paying, in the bundle's terms. */
export interface Payer {
  readonly category: string;
  readonly medium: string;
}

const NO_GROUPS: ReadonlySet<string> = new Set();

/** What a boarding is charged, and whether as a transfer. */
export interface Charge {
  readonly amount: number;
  readonly transfer: boolean;
}

/**
 * What the boarding costs, given the card's last trip (null: none, or not to be continued). For each leg rule
 * the boarding matches, a transfer rule that applies "must be processed" and gives its cost; a leg with none
 * costs its own fare ("the legs are considered separate"). The card's chain record is all that is known of the
 * earlier legs: docs/fares.md says how each field of fare_transfer_rules.txt is read from it. Of the open
 * readings (several leg rules, several previous leg groups, several transfer rules) the rider's cheapest is
 * charged; a transfer wins a tie.
 */
export function cheapestCharge(
  bundle: FareBundle,
  last: LastTrip | null,
  boarding: readonly PricedLeg[],
  payer: Payer,
  now: number,
  legsAt: LegsAt,
): Charge {
  const fromGroups = last === null ? NO_GROUPS : previousGroups(last, now, payer, legsAt);
  let amount = Infinity;
  let transfer = false;
  for (const leg of boarding) {
    const asTransfer = last === null || fromGroups.size === 0 ? null : transferAmount(bundle, last, fromGroups, leg, payer, now);
    const option = asTransfer ?? leg.amount;
    if (option < amount || (option === amount && asTransfer !== null)) {
      amount = option;
      transfer = asTransfer !== null;
    }
  }
  return { amount: amount === Infinity ? 0 : amount, transfer };
}

/** The leg rules a boarding matches for a payer, priced: how the policy matches a leg. */
export type LegsAt = (route: string | null, stop: string | null, time: number, payer: Payer) => readonly PricedLeg[];

/** The leg groups of the last trip's leg, matched again from the route, stop and time on the card. */
function previousGroups(last: LastTrip, now: number, payer: Payer, legsAt: LegsAt): ReadonlySet<string> {
  const groups = new Set<string>();
  // The card keeps whole seconds. A last trip after this boarding means a clock is wrong: no transfer on that.
  if (Math.floor(now / 1000) * 1000 < last.time) return groups;
  for (const leg of legsAt(last.route === '' ? null : last.route, last.stop, last.time, payer)) {
    if (leg.rule.legGroupId !== null) groups.add(leg.rule.legGroupId);
  }
  return groups;
}

/** The cheapest transfer from one of the previous leg's groups into this leg, or null when no rule applies. */
function transferAmount(bundle: FareBundle, last: LastTrip, fromGroups: ReadonlySet<string>, leg: PricedLeg, payer: Payer, now: number): number | null {
  const to = leg.rule.legGroupId;
  if (to === null) return null;
  // "the current transfer count of the sub-journey": the transfers on the card, and this one.
  const transferCount = last.transfersUsed + 1;
  // duration_limit_type 1: "Between the departure fare validation of the first leg in transfer sub-journey and
  // the departure fare validation of the last leg", measured "starting from the first matched leg": chainStart.
  const elapsedSeconds = (Math.floor(now / 1000) * 1000 - last.chainStart) / 1000;
  let best: number | null = null;
  for (const from of fromGroups) {
    for (const rule of byTransferCount(bundle.transfers.match(from, to), transferCount)) {
      if (rule.durationLimit !== null && (elapsedSeconds < 0 || elapsedSeconds > rule.durationLimit)) continue;
      const product = rule.productId === null ? 0 : bundle.prices.price(rule.productId, payer.category, payer.medium);
      if (product === undefined) continue;
      const amount = charge(rule, product, leg.amount, last);
      if (best === null || amount < best) best = amount;
    }
  }
  return best;
}

/**
 * "If a sub-journey matches multiple records with different transfer_counts, then the rule with the minimum
 * transfer_count that is greater than or equal to the current transfer count of the sub-journey is to be
 * selected." -1 is "no limit", so it is the largest. Rules without a transfer_count are not limited by it.
 */
function byTransferCount(rules: readonly TransferRule[], count: number): readonly TransferRule[] {
  let min = Infinity;
  for (const r of rules) {
    if (r.transferCount === null) continue;
    const limit = r.transferCount === -1 ? Infinity : r.transferCount;
    if (limit >= count && limit < min) min = limit;
  }
  return rules.filter((r) => r.transferCount === null || (r.transferCount === -1 ? Infinity : r.transferCount) === min);
}

/**
 * What this boarding adds to what the card has paid. fare_transfer_type: "0 - From-leg fare_product_id plus
 * fare_transfer_rules.fare_product_id; A + AB. 1 - ... plus to-leg fare_product_id; A + AB + B. 2 -
 * fare_transfer_rules.fare_product_id; AB." A was paid at the last boarding, so 0 adds AB and 1 adds AB + B.
 * For 2 the table of multiple transfers gives "AB" for the first transfer and "S + BC" after it: the first
 * adds AB - A (A being what the card paid for it), later ones add BC. A card is never credited: below zero is 0.
 */
function charge(rule: TransferRule, transferAmount: number, legAmount: number, last: LastTrip): number {
  switch (rule.type) {
    case 0:
      return Math.max(0, transferAmount);
    case 1:
      return Math.max(0, transferAmount + legAmount);
    case 2:
      return Math.max(0, last.transfersUsed === 0 ? transferAmount - last.amount : transferAmount);
  }
}
