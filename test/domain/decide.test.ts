import { describe, expect, it } from 'vitest';
import { decideTap, type TapInput } from '../../src/domain/decide.ts';
import { FlatFarePolicy } from '../support/flat-fare-policy.ts';
import { Reason } from '../../src/domain/reasons.ts';
import { MemoryDenyList } from '../../src/deny-list/file-deny-list.ts';
import { card, context, fares, NOON } from './fixtures.ts';

const noDeny = new MemoryDenyList('v0', []);

function input(overrides: Partial<TapInput> = {}): TapInput {
  return { card: card(), context, now: NOON, denyList: noDeny, fares, timeZone: 'Asia/Tehran', ...overrides };
}

describe('decideTap', () => {
  it('charges the full fare to an adult and writes the new purse', () => {
    const d = decideTap(input());
    expect(d).toMatchObject({ result: 'accept', reason: Reason.Ok, fare: 37_000, transfer: false });
    expect(d.purse).toEqual({
      balance: 463_000,
      counter: 8,
      lastTrip: {
        time: NOON, route: '12', stop: null, amount: 37_000, vehicle: 'BUS-7', device: 'DEV-1', transfersUsed: 0, chainStart: NOON,
      },
    });
  });

  it('applies the rider-category discount in whole rials', () => {
    expect(decideTap(input({ card: card({ category: 'student' }) })).fare).toBe(18_500);
    const odd = new FlatFarePolicy({ version: 'x', baseFare: 37_001, categories: { student: { discountPercent: 50 } }, repeatWindowMs: 0, negativeAllowance: 0 });
    expect(decideTap(input({ card: card({ category: 'student' }), fares: odd })).fare).toBe(18_501);
  });

  it('lets a 100% category ride and still records the boarding on the card', () => {
    const d = decideTap(input({ card: card({ category: 'veteran' }) }));
    expect(d).toMatchObject({ result: 'accept', fare: 0 });
    expect(d.purse?.counter).toBe(8);
  });

  it('rejects a deny-listed card before anything else, even a blocked or expired one', () => {
    const deny = new MemoryDenyList('v1', [{ cardNumber: '9826000000000001', reason: 'stolen' }]);
    const d = decideTap(input({ denyList: deny, card: card({ status: 'blocked', expires: '2020-01-01' }) }));
    expect(d).toEqual({ result: 'reject', reason: Reason.DenyListed, fare: 0, transfer: false, purse: null });
  });

  it('writes "blocked" onto a card whose entry says block, keeping its balance and last trip', () => {
    const deny = new MemoryDenyList('v1', [{ cardNumber: '9826000000000001', reason: 'fraud', action: 'block' }]);
    const d = decideTap(input({ denyList: deny, card: card({ balance: 120_000 }) }));
    expect(d).toEqual({
      result: 'reject',
      reason: Reason.BlockWritten,
      fare: 0,
      transfer: false,
      purse: { balance: 120_000, counter: 8, lastTrip: null, status: 'blocked' },
    });
    // Once the card says blocked there is nothing more to write.
    expect(decideTap(input({ denyList: deny, card: card({ status: 'blocked' }) }))).toMatchObject({ reason: Reason.DenyListed, purse: null });
  });

  it('rejects blocked, expired and not-yet-valid cards, judging dates in Tehran', () => {
    expect(decideTap(input({ card: card({ status: 'blocked' }) })).reason).toBe(Reason.Blocked);
    expect(decideTap(input({ card: card({ expires: '2026-11-21' }) })).reason).toBe(Reason.Expired);
    expect(decideTap(input({ card: card({ expires: '2026-11-22' }) })).result).toBe('accept');
    // 21:00 UTC on the 21st is already the 22nd in Tehran (+03:30): a card valid until the 21st has expired.
    const lateUtc = Date.UTC(2026, 10, 21, 21, 0, 0);
    expect(decideTap(input({ now: lateUtc, card: card({ expires: '2026-11-21' }) })).reason).toBe(Reason.Expired);
    expect(decideTap(input({ card: card({ issued: '2026-11-23' }) })).reason).toBe(Reason.NotYetValid);
  });

  it('rejects an unknown category and a balance below the fare', () => {
    expect(decideTap(input({ card: card({ category: 'pilot' }) })).reason).toBe(Reason.UnknownCategory);
    expect(decideTap(input({ card: card({ balance: 36_999 }) })).reason).toBe(Reason.InsufficientBalance);
    expect(decideTap(input({ card: card({ balance: 37_000 }) })).purse?.balance).toBe(0);
  });

  it('allows the configured negative balance and no further', () => {
    const lenient = new FlatFarePolicy({ version: 'x', baseFare: 37_000, categories: { adult: { discountPercent: 0 } }, repeatWindowMs: 0, negativeAllowance: 10_000 });
    expect(decideTap(input({ fares: lenient, card: card({ balance: 27_000 }) })).purse?.balance).toBe(-10_000);
    expect(decideTap(input({ fares: lenient, card: card({ balance: 26_999 }) })).reason).toBe(Reason.InsufficientBalance);
  });

  it('treats the same card on the same bus within the window as already paid, without a write', () => {
    const lastTrip = { time: NOON - 9_000, route: '12', stop: null, amount: 37_000, vehicle: 'BUS-7', device: 'DEV-2', transfersUsed: 0, chainStart: NOON - 9_000 };
    expect(decideTap(input({ card: card({ lastTrip }) }))).toEqual({ result: 'accept', reason: Reason.AlreadyPaid, fare: 0, transfer: false, purse: null });
    // After the window it is another rider paying (families share a card).
    expect(decideTap(input({ card: card({ lastTrip: { ...lastTrip, time: NOON - 10_000 } }) })).fare).toBe(37_000);
    // Another bus within the window pays again.
    expect(decideTap(input({ card: card({ lastTrip: { ...lastTrip, vehicle: 'BUS-8' } }) })).fare).toBe(37_000);
  });

  it('compares repeats at the card\'s whole-second resolution', () => {
    const lastTrip = { time: NOON, route: '12', stop: null, amount: 37_000, vehicle: 'BUS-7', device: 'DEV-1', transfersUsed: 0, chainStart: NOON };
    expect(decideTap(input({ now: NOON + 9_999, card: card({ lastTrip }) })).reason).toBe(Reason.AlreadyPaid);
    expect(decideTap(input({ now: NOON + 10_000, card: card({ lastTrip }) })).reason).toBe(Reason.Ok);
  });
});
