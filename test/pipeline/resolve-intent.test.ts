import { describe, expect, it } from 'vitest';
import type { LastTrip } from '../../src/domain/card.ts';
import { Reason } from '../../src/domain/reasons.ts';
import type { DebitIntent, TapFields } from '../../src/journal/types.ts';
import { judgeIntent, resolutionFields } from '../../src/pipeline/resolve-intent.ts';
import { card, NOON } from '../domain/fixtures.ts';

const trip: LastTrip = {
  time: NOON,
  route: '12',
  stop: null,
  amount: 37_000,
  vehicle: 'BUS-7',
  device: 'DEV-1',
  transfersUsed: 0,
  chainStart: NOON,
};

function intent(tap: Partial<TapFields>): DebitIntent {
  const fields: TapFields = {
    id: 'tap-1',
    time: NOON,
    utcOffsetMinutes: 210,
    device: 'DEV-1',
    reader: 'front',
    cardUid: '04A1B2C3',
    cardNumber: '9826000000000001',
    cardCounter: 8,
    category: 'adult',
    result: 'accepted',
    reason: Reason.Ok,
    fare: 37_000,
    balanceBefore: 500_000,
    balanceAfter: 463_000,
    transfer: false,
    route: '12',
    vehicle: 'BUS-7',
    stop: null,
    position: null,
    denyListVersion: 'v1',
    faresVersion: 'f1',
    intentId: 'intent-1',
    ...tap,
  };
  return { id: 'intent-1', createdAt: NOON, cardUid: '04A1B2C3', counterBefore: 7, counterAfter: 8, tap: fields };
}

describe('judging an interrupted purse write', () => {
  it('finds a boarding by its counter, balance and last trip', () => {
    const boarding = intent({});
    expect(judgeIntent(boarding, card({ counter: 8, balance: 463_000, lastTrip: trip }))).toBe('applied');
    expect(judgeIntent(boarding, card({ counter: 7 }))).toBe('not-applied');
    expect(judgeIntent(boarding, card({ counter: 8, balance: 463_000, lastTrip: { ...trip, device: 'DEV-2' } }))).toBe('unknown');
    expect(judgeIntent(boarding, card({ counter: 9, balance: 426_000, lastTrip: { ...trip, time: NOON + 60_000 } }))).toBe('unknown');
  });

  it('finds a top-up, which leaves the last trip alone, by its counter and balance', () => {
    const topUp = intent({ reason: Reason.TopUp, fare: 0, balanceBefore: 500_000, balanceAfter: 700_000 });
    expect(judgeIntent(topUp, card({ counter: 8, balance: 700_000, lastTrip: trip }))).toBe('applied');
    expect(judgeIntent(topUp, card({ counter: 7, balance: 500_000, lastTrip: trip }))).toBe('not-applied');
    // Someone else's write at the same counter: not ours, and the card no longer tells whether ours landed.
    expect(judgeIntent(topUp, card({ counter: 8, balance: 463_000, lastTrip: trip }))).toBe('unknown');
  });

  it('finds a block write by the blocked status it leaves', () => {
    const block = intent({ reason: Reason.BlockWritten, result: 'rejected', fare: 0, balanceBefore: 500_000, balanceAfter: 500_000 });
    expect(judgeIntent(block, card({ counter: 8, status: 'blocked' }))).toBe('applied');
    expect(judgeIntent(block, card({ counter: 8, status: 'active' }))).toBe('unknown');
    expect(judgeIntent(block, card({ counter: 7 }))).toBe('not-applied');
  });

  it('closes a write that never landed as not applied, with the balance untouched', () => {
    const topUp = intent({ reason: Reason.TopUp, fare: 0, balanceBefore: 500_000, balanceAfter: 700_000 });
    expect(resolutionFields(topUp, 'not-applied')).toMatchObject({
      result: 'rejected',
      reason: Reason.DebitNotApplied,
      balanceAfter: 500_000,
      cardCounter: 7,
    });
  });
});
