import type { CardData } from '../domain/card.ts';
import type { Decision } from '../domain/decide.ts';
import type { TapContext } from '../domain/tap-context.ts';
import type { Position, TapFields } from '../journal/types.ts';

/** What a tap record needs besides the card and the decision. */
export interface TapStamp {
  readonly id: string;
  readonly time: number;
  readonly utcOffsetMinutes: number;
  readonly context: TapContext;
  readonly position: Position | null;
  readonly denyListVersion: string;
  readonly faresVersion: string;
}

/** The journal record of a decided tap. */
export function tapFields(stamp: TapStamp, card: CardData, decision: Decision, intentId: string | null): TapFields {
  const written = decision.purse;
  return {
    ...stampFields(stamp),
    cardUid: card.uid,
    cardNumber: card.number,
    cardCounter: written ? written.counter : card.counter,
    category: card.category,
    result: decision.result === 'accept' ? 'accepted' : 'rejected',
    reason: decision.reason,
    fare: decision.fare,
    balanceBefore: card.balance,
    balanceAfter: written ? written.balance : card.balance,
    transfer: decision.transfer,
    intentId,
  };
}

/** The journal record of a card that could not be decided on (unreadable, invalid). */
export function undecodedFields(stamp: TapStamp, cardUid: string, reason: string): TapFields {
  return {
    ...stampFields(stamp),
    cardUid,
    cardNumber: null,
    cardCounter: null,
    category: null,
    result: 'rejected',
    reason,
    fare: 0,
    balanceBefore: null,
    balanceAfter: null,
    transfer: false,
    intentId: null,
  };
}

function stampFields(stamp: TapStamp) {
  return {
    id: stamp.id,
    time: stamp.time,
    utcOffsetMinutes: stamp.utcOffsetMinutes,
    device: stamp.context.device,
    reader: stamp.context.reader,
    route: stamp.context.route,
    vehicle: stamp.context.vehicle,
    stop: stamp.context.stop,
    position: stamp.position,
    denyListVersion: stamp.denyListVersion,
    faresVersion: stamp.faresVersion,
  } as const;
}
