import type { CardData, LastTrip } from '../domain/card.ts';
import { decideTap } from '../domain/decide.ts';
import type { DenyList } from '../domain/deny-list.ts';
import type { FarePolicy } from '../domain/fare-policy.ts';
import type { Reason } from '../domain/reasons.ts';
import type { Ride } from './rides.ts';

/** What one ride costs the card, and the chain record the card carries after it. */
export interface RideQuote {
  readonly ride: Ride;
  readonly result: 'accept' | 'reject';
  readonly reason: Reason;
  readonly amount: number;
  readonly transfer: boolean;
  /** The card's last-trip record after the tap (unchanged when nothing was written). */
  readonly chain: LastTrip | null;
}

/** More than any fare: the card never runs out, so the rules alone decide. */
const ENOUGH = 1_000_000_000_000;
const NOBODY_DENIED: DenyList = { version: 'none', lookup: () => undefined };

/**
 * What one card with enough balance pays taking the rides in order: each tap goes through decideTap, the
 * validator's own decision, and the purse it writes becomes the card of the next tap. No fare logic here.
 */
export function quoteRides(fares: FarePolicy, category: string, rides: readonly Ride[], timeZone: string): RideQuote[] {
  let card: CardData = {
    uid: '00000000',
    number: '0000000000000000',
    category,
    issued: '1900-01-01',
    expires: '9999-12-31',
    status: 'active',
    layoutVersion: 0,
    balance: ENOUGH,
    counter: 0,
    lastTrip: null,
  };
  return rides.map((ride, i) => {
    const context = { device: 'fares-quote', vehicle: ride.vehicle ?? `ride-${i + 1}`, route: ride.route, stop: ride.stop, reader: 'front' };
    const decision = decideTap({ card, context, now: ride.time, denyList: NOBODY_DENIED, fares, timeZone });
    if (decision.purse) card = { ...card, ...decision.purse };
    return { ride, result: decision.result, reason: decision.reason, amount: decision.fare, transfer: decision.transfer, chain: card.lastTrip };
  });
}
