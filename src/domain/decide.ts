import type { CardData, PurseUpdate } from './card.ts';
import type { DenyList } from './deny-list.ts';
import type { FarePolicy } from './fare-policy.ts';
import { Reason } from './reasons.ts';
import type { TapContext } from './tap-context.ts';
import { localDate } from './time.ts';

export interface TapInput {
  readonly card: CardData;
  readonly context: TapContext;
  /** Wall time of the tap, epoch milliseconds. */
  readonly now: number;
  readonly denyList: DenyList;
  readonly fares: FarePolicy;
  /** The network's time zone, for expiry dates. */
  readonly timeZone: string;
}

export interface Decision {
  readonly result: 'accept' | 'reject';
  readonly reason: Reason;
  /** Rials debited; 0 when nothing is charged. */
  readonly fare: number;
  readonly transfer: boolean;
  /** What to write to the card; null when the card is not written. */
  readonly purse: PurseUpdate | null;
}

/** Decides one tap. Pure: no I/O, no clock, no randomness. */
export function decideTap(input: TapInput): Decision {
  const { card, now } = input;
  const denied = input.denyList.lookup(card.number);
  if (denied) return denied.action === 'block' && card.status !== 'blocked' ? blockOnCard(card) : reject(Reason.DenyListed);
  if (card.status === 'blocked') return reject(Reason.Blocked);
  const today = localDate(now, input.timeZone);
  if (today > card.expires) return reject(Reason.Expired);
  if (today < card.issued) return reject(Reason.NotYetValid);

  const quote = input.fares.quote(card, input.context, now);
  if (quote.result === 'reject') return reject(quote.reason);
  const purse: PurseUpdate | null = quote.lastTrip
    ? { balance: card.balance - quote.amount, counter: card.counter + 1, lastTrip: quote.lastTrip }
    : null;
  return { result: 'accept', reason: quote.reason, fare: quote.amount, transfer: quote.transfer, purse };
}

/** A deny-listed card whose entry says block: refused, and "blocked" written onto it for validators offline. */
function blockOnCard(card: CardData): Decision {
  const purse: PurseUpdate = { balance: card.balance, counter: card.counter + 1, lastTrip: card.lastTrip, status: 'blocked' };
  return { result: 'reject', reason: Reason.BlockWritten, fare: 0, transfer: false, purse };
}

function reject(reason: Reason): Decision {
  return { result: 'reject', reason, fare: 0, transfer: false, purse: null };
}
