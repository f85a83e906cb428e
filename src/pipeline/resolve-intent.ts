import type { CardData } from '../domain/card.ts';
import { Reason } from '../domain/reasons.ts';
import type { DebitIntent, TapFields } from '../journal/types.ts';

export type IntentVerdict = 'applied' | 'not-applied' | 'unknown';


/**
 * Whether an interrupted purse write reached the card, judged from the card as it reads now.
 * Ours only if the newest purse state is exactly the one we meant to write: same counter, same balance,
 * and, for a boarding, the last trip that names this device at that second with that amount. A lower
 * counter means the write never landed. A higher counter means someone wrote after us: the newest state
 * no longer shows whether ours landed, so the backend has to reconcile it.
 */
export function judgeIntent(intent: DebitIntent, card: CardData): IntentVerdict {
  const trip = card.lastTrip;
  const planned = intent.tap;
  // Top-ups and block writes leave the last trip as it was: counter, balance and status are all that show them.
  const tripIsOurs =
    planned.reason === (Reason.TopUp as string)
      ? true
      : planned.reason === (Reason.BlockWritten as string)
        ? card.status === 'blocked'
        : trip !== null &&
          trip.device === planned.device &&
          Math.floor(trip.time / 1000) === Math.floor(planned.time / 1000) &&
          trip.amount === planned.fare;
  const ours = card.counter === intent.counterAfter && card.balance === planned.balanceAfter && tripIsOurs;
  if (ours) return 'applied';
  if (card.counter < intent.counterAfter) return 'not-applied';
  return 'unknown';
}

/** The record that closes an intent with a verdict. It keeps the interrupted tap's id and time. */
export function resolutionFields(intent: DebitIntent, verdict: IntentVerdict): TapFields {
  const planned = intent.tap;
  switch (verdict) {
    case 'applied':
      return planned;
    case 'not-applied':
      return {
        ...planned,
        result: 'rejected',
        reason: Reason.DebitNotApplied,
        fare: 0,
        balanceAfter: planned.balanceBefore,
        cardCounter: intent.counterBefore,
      };
    case 'unknown':
      return { ...planned, result: 'unresolved', reason: Reason.Unresolved };
  }
}
