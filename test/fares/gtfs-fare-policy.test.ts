import { describe, expect, it } from 'vitest';
import { decideTap, type TapInput } from '../../src/domain/decide.ts';
import { isValidatorError, ErrorCode } from '../../src/domain/errors.ts';
import { Reason } from '../../src/domain/reasons.ts';
import { MemoryDenyList } from '../../src/deny-list/file-deny-list.ts';
import { GtfsFarePolicy } from '../../src/fares/gtfs-fare-policy.ts';
import { at, bundle, card, context, csv, TEHRAN } from './support.ts';

const fares = new GtfsFarePolicy(bundle());
const NOW = at('2025-06-03 12:00');

describe('GtfsFarePolicy', () => {
  it('charges the rider category\'s fare and writes the chain record with the boarding', () => {
    const q = fares.quote(card(), context({ stop: 'S-1' }), NOW);
    expect(q).toEqual({
      result: 'accept',
      reason: Reason.Ok,
      amount: 37_000,
      transfer: false,
      lastTrip: { time: NOW, route: '12', stop: 'S-1', amount: 37_000, vehicle: 'BUS-7', device: 'DEV-1', transfersUsed: 0, chainStart: NOW },
    });
    expect(fares.quote(card({ category: 'student' }), context(), NOW).amount).toBe(18_500);
    expect(fares.version).toBe('test-1');
    expect(fares.medium).toBe('qom_card');
  });

  it('refuses a card category the bundle does not have, and maps card categories when told to', () => {
    expect(fares.quote(card({ category: 'pilot' }), context(), NOW)).toEqual({ result: 'reject', reason: Reason.UnknownCategory, amount: 0, transfer: false, lastTrip: null });
    const mapped = new GtfsFarePolicy(bundle(), { categories: { pupil: 'student' } });
    expect(mapped.quote(card({ category: 'pupil' }), context(), NOW).amount).toBe(18_500);
  });

  it('refuses a category with no price on this leg as "no fare", not as an unknown category', () => {
    const noSenior = bundle({ 'rider_categories.txt': csv(['rider_category_id', 'rider_category_name', 'is_default_fare_category'], ['adult', 'Adult', '1'], ['student', 'Student', ''], ['senior', 'Senior', '']) });
    expect(new GtfsFarePolicy(noSenior).quote(card({ category: 'senior' }), context(), NOW).reason).toBe(Reason.NoFare);
  });

  it('refuses a balance below the fare, down to the negative allowance and no further', () => {
    expect(fares.quote(card({ balance: 36_999 }), context(), NOW).reason).toBe(Reason.InsufficientBalance);
    expect(fares.quote(card({ balance: 37_000 }), context(), NOW).amount).toBe(37_000);
    const lenient = new GtfsFarePolicy(bundle(), { negativeAllowance: 10_000 });
    expect(lenient.quote(card({ balance: 27_000 }), context(), NOW).result).toBe('accept');
    expect(lenient.quote(card({ balance: 26_999 }), context(), NOW).reason).toBe(Reason.InsufficientBalance);
  });

  it('follows a configured repeat window', () => {
    const last = { time: NOW - 20_000, route: '12', stop: null, amount: 37_000, vehicle: 'BUS-7', device: 'DEV-1', transfersUsed: 0, chainStart: NOW - 20_000 };
    expect(fares.quote(card({ lastTrip: last }), context(), NOW).reason).toBe(Reason.Ok);
    expect(new GtfsFarePolicy(bundle(), { repeatWindowMs: 30_000 }).quote(card({ lastTrip: last }), context(), NOW).reason).toBe(Reason.AlreadyPaid);
  });

  it('refuses options that do not fit the bundle, saying what would', () => {
    const fail = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        if (isValidatorError(e, ErrorCode.ConfigInvalid)) return e.message;
        throw e;
      }
      return expect.fail('accepted');
    };
    expect(fail(() => new GtfsFarePolicy(bundle(), { medium: 'paper' }))).toBe('fare medium paper is not in fare bundle test-1 (it has qom_card)');
    expect(fail(() => new GtfsFarePolicy(bundle(), { categories: { pupil: 'child' } }))).toBe('card category pupil maps to rider category child, which fare bundle test-1 does not have');
    expect(fail(() => new GtfsFarePolicy(bundle(), { repeatWindowMs: -1 }))).toMatch(/^repeat window -1 ms/);
    expect(fail(() => new GtfsFarePolicy(bundle(), { negativeAllowance: 0.5 }))).toMatch(/^negative allowance 0.5/);
    const twoCards = bundle({ 'fare_media.txt': csv(['fare_media_id', 'fare_media_type'], ['qom_card', '2'], ['old_card', '2']) });
    expect(fail(() => new GtfsFarePolicy(twoCards))).toBe("fare bundle test-1 has several transit cards (qom_card, old_card): name the Qom Card's fare_media_id");
    expect(new GtfsFarePolicy(twoCards, { medium: 'qom_card' }).medium).toBe('qom_card');
  });

  it('refuses a boarding whose charge would not fit on the card instead of failing the card write', () => {
    const big = new GtfsFarePolicy(
      bundle({
        'fare_products.txt': csv(['fare_product_id', 'amount', 'currency'], ['boarding', '16000000', 'IRR'], ['add', '1000000', 'IRR']),
        'fare_transfer_rules.txt': csv(['from_leg_group_id', 'to_leg_group_id', 'transfer_count', 'fare_transfer_type', 'fare_product_id'], ['bus', 'bus', '-1', '1', 'add']),
      }),
    );
    const last = { time: NOW - 60_000, route: '12', stop: null, amount: 16_000_000, vehicle: 'BUS-1', device: 'DEV-2', transfersUsed: 0, chainStart: NOW - 60_000 };
    expect(big.quote(card({ balance: 100_000_000, lastTrip: last }), context(), NOW).reason).toBe(Reason.NoFare);
  });
});

describe('decideTap with the GTFS engine: every reason a tap is refused', () => {
  const deny = new MemoryDenyList('v1', [{ cardNumber: '9826000000000002', reason: 'stolen' }]);
  const input = (overrides: Partial<TapInput>): TapInput => ({ card: card(), context: context(), now: NOW, denyList: deny, fares, timeZone: TEHRAN, ...overrides });

  it('refuses each with its own reason and charges nothing', () => {
    const cases: [Partial<TapInput>, Reason][] = [
      [{ card: card({ number: '9826000000000002' }) }, Reason.DenyListed],
      [{ card: card({ status: 'blocked' }) }, Reason.Blocked],
      [{ card: card({ expires: '2025-06-02' }) }, Reason.Expired],
      [{ card: card({ issued: '2025-06-04' }) }, Reason.NotYetValid],
      [{ card: card({ category: 'pilot' }) }, Reason.UnknownCategory],
      [{ card: card({ balance: 1_000 }) }, Reason.InsufficientBalance],
      [{ fares: new GtfsFarePolicy(bundle({ 'fare_leg_rules.txt': csv(['network_id', 'fare_product_id'], ['metro', 'boarding']), 'networks.txt': csv(['network_id'], ['metro']) })) }, Reason.NoFare],
    ];
    for (const [overrides, reason] of cases) {
      expect(decideTap(input(overrides))).toEqual({ result: 'reject', reason, fare: 0, transfer: false, purse: null });
    }
  });

  it('debits the card and writes the chain record on an accepted tap', () => {
    expect(decideTap(input({}))).toMatchObject({ result: 'accept', fare: 37_000, purse: { balance: 463_000, counter: 8, lastTrip: { amount: 37_000 } } });
  });
});
