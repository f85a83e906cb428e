import { describe, expect, it } from 'vitest';
import type { CardData, LastTrip } from '../../src/domain/card.ts';
import type { FareQuote } from '../../src/domain/fare-policy.ts';
import { Reason } from '../../src/domain/reasons.ts';
import type { TapContext } from '../../src/domain/tap-context.ts';
import { GtfsFarePolicy } from '../../src/fares/gtfs-fare-policy.ts';
import { at, bundle, card, context, csv, lastTrip } from './support.ts';

const TRANSFER_HEADER = ['from_leg_group_id', 'to_leg_group_id', 'transfer_count', 'duration_limit', 'duration_limit_type', 'fare_transfer_type', 'fare_product_id'];

/** Three networks A, B, C, one leg group each (the reference's 3-leg picture), with transfer rules of one type. */
function threeLegs(type: 0 | 1 | 2, ab = '5000'): GtfsFarePolicy {
  return new GtfsFarePolicy(
    bundle({
      'fare_products.txt': csv(
        ['fare_product_id', 'amount', 'currency'],
        ['A', '30000', 'IRR'],
        ['B', '20000', 'IRR'],
        ['C', '25000', 'IRR'],
        ['AB', ab, 'IRR'],
        ['BC', '4000', 'IRR'],
      ),
      'networks.txt': csv(['network_id'], ['a'], ['b'], ['c']),
      'route_networks.txt': csv(['network_id', 'route_id'], ['a', 'ra'], ['b', 'rb'], ['c', 'rc']),
      'fare_leg_rules.txt': csv(['leg_group_id', 'network_id', 'fare_product_id'], ['A', 'a', 'A'], ['B', 'b', 'B'], ['C', 'c', 'C']),
      'fare_transfer_rules.txt': csv(TRANSFER_HEADER, ['A', 'B', '', '', '', String(type), 'AB'], ['B', 'C', '', '', '', String(type), 'BC']),
    }),
  );
}

/** Rides in order on one card, each on a bus of its own, every `minutes` apart; the amounts charged. */
function ride(fares: GtfsFarePolicy, routes: readonly string[], minutes = 10, start = at('2025-06-03 08:00')): FareQuote[] {
  let c: CardData = card({ balance: 10_000_000 });
  return routes.map((route, i) => {
    const q = fares.quote(c, context({ route, vehicle: `BUS-${i}` }), start + i * minutes * 60_000);
    if (q.lastTrip) c = { ...c, balance: c.balance - q.amount, lastTrip: q.lastTrip };
    return q;
  });
}

describe('fare_transfer_type arithmetic, the reference\'s 3-leg table', () => {
  it('0: A + AB, then S + BC', () => {
    expect(ride(threeLegs(0), ['ra', 'rb', 'rc']).map((q) => [q.amount, q.transfer])).toEqual([
      [30_000, false],
      [5_000, true],
      [4_000, true],
    ]);
  });

  it('1: A + AB + B, then S + BC + C', () => {
    expect(ride(threeLegs(1), ['ra', 'rb', 'rc']).map((q) => q.amount)).toEqual([30_000, 5_000 + 20_000, 4_000 + 25_000]);
  });

  it('2: AB for the first transfer (the card already paid A), then S + BC', () => {
    expect(ride(threeLegs(2, '40000'), ['ra', 'rb', 'rc']).map((q) => q.amount)).toEqual([30_000, 10_000, 4_000]);
  });

  it('2: never credits the card when AB costs less than what A was paid', () => {
    expect(ride(threeLegs(2, '10000'), ['ra', 'rb']).map((q) => [q.amount, q.transfer])).toEqual([
      [30_000, false],
      [0, true],
    ]);
  });

  it('keeps the chain record: transfers used and the chain\'s first boarding', () => {
    const [a, b, c] = ride(threeLegs(0), ['ra', 'rb', 'rc']);
    expect(a?.lastTrip).toMatchObject({ transfersUsed: 0, chainStart: at('2025-06-03 08:00'), route: 'ra', amount: 30_000 });
    expect(b?.lastTrip).toMatchObject({ transfersUsed: 1, chainStart: at('2025-06-03 08:00'), route: 'rb', amount: 5_000, time: at('2025-06-03 08:10') });
    expect(c?.lastTrip).toMatchObject({ transfersUsed: 2, chainStart: at('2025-06-03 08:00'), route: 'rc', amount: 4_000 });
  });

  it('treats legs with no transfer rule between them as separate', () => {
    expect(ride(threeLegs(0), ['ra', 'rc', 'rb']).map((q) => [q.amount, q.transfer])).toEqual([
      [30_000, false],
      [25_000, false],
      [20_000, false],
    ]);
  });
});

describe('transfer_count and duration_limit', () => {
  /** One bus group; the first transfer free, the second 5,000, any more 10,000, all within 60 minutes. */
  const counted = new GtfsFarePolicy(
    bundle({
      'fare_products.txt': csv(['fare_product_id', 'amount', 'currency'], ['boarding', '37000', 'IRR'], ['second', '5000', 'IRR'], ['more', '10000', 'IRR']),
      'fare_transfer_rules.txt': csv(
        TRANSFER_HEADER,
        ['bus', 'bus', '-1', '3600', '1', '0', 'more'],
        ['bus', 'bus', '2', '3600', '1', '0', 'second'],
        ['bus', 'bus', '1', '3600', '1', '0', ''],
      ),
    }),
  );

  it('selects "the minimum transfer_count that is greater than or equal to the current transfer count"', () => {
    expect(ride(counted, ['1', '2', '3', '4', '5']).map((q) => q.amount)).toEqual([37_000, 0, 5_000, 10_000, 10_000]);
  });

  it('measures the limit from the chain\'s first boarding, inclusive, and starts a new chain after it', () => {
    const start = at('2025-06-03 08:00');
    const first = lastTrip(start, 0);
    const at60 = counted.quote(card({ lastTrip: { ...first, time: start + 50 * 60_000, transfersUsed: 1 } }), context(), start + 60 * 60_000);
    expect(at60).toMatchObject({ amount: 5_000, transfer: true, lastTrip: { transfersUsed: 2, chainStart: start } });
    const after = counted.quote(card({ lastTrip: { ...first, time: start + 50 * 60_000, transfersUsed: 1 } }), context(), start + 60 * 60_000 + 1000);
    expect(after).toMatchObject({ amount: 37_000, transfer: false, lastTrip: { transfersUsed: 0, chainStart: start + 60 * 60_000 + 1000 } });
  });

  it('compares at the card\'s whole seconds', () => {
    const start = at('2025-06-03 08:00');
    const q = counted.quote(card({ lastTrip: lastTrip(start, 0) }), context(), start + 3600_999);
    expect(q).toMatchObject({ amount: 0, transfer: true });
  });

  it('gives no transfer when the last trip is later than this tap (a wrong clock on one of the buses)', () => {
    const now = at('2025-06-03 08:00');
    expect(counted.quote(card({ lastTrip: lastTrip(now, -5) }), context(), now)).toMatchObject({ amount: 37_000, transfer: false });
  });

  it('stops counting at what the card can hold, so unlimited transfers never fail a card write', () => {
    const now = at('2025-06-03 08:00');
    const long: LastTrip = { ...lastTrip(now, 1), transfersUsed: 127 };
    expect(counted.quote(card({ lastTrip: long }), context(), now)).toMatchObject({ amount: 10_000, transfer: true, lastTrip: { transfersUsed: 127 } });
  });
});

describe('what counts as a transfer from the card\'s chain record', () => {
  const free60 = new GtfsFarePolicy(bundle({ 'fare_transfer_rules.txt': csv(TRANSFER_HEADER, ['bus', 'bus', '1', '3600', '1', '0', '']) }));
  const now = at('2025-06-03 08:30');

  it('is "already paid" on the same bus within the repeat window, at either door, with nothing written', () => {
    const last = lastTrip(now, 0.1, { vehicle: 'BUS-7' });
    const q: FareQuote = free60.quote(card({ lastTrip: last }), context({ reader: 'rear' }), now);
    expect(q).toEqual({ result: 'accept', reason: Reason.AlreadyPaid, amount: 0, transfer: false, lastTrip: null });
  });

  it('is another rider, not a transfer, on the same bus after the window: families share one card', () => {
    const last = lastTrip(now, 0.5, { vehicle: 'BUS-7' });
    expect(free60.quote(card({ lastTrip: last }), context(), now)).toMatchObject({ amount: 37_000, transfer: false, lastTrip: { transfersUsed: 0, chainStart: now } });
  });

  it('is a transfer on another bus within the limit', () => {
    expect(free60.quote(card({ lastTrip: lastTrip(now, 20) }), context(), now)).toMatchObject({ amount: 0, transfer: true });
  });

  it('needs the earlier leg to belong to a leg group: empty groups match "all leg groups ... excluding the ones listed"', () => {
    const fares = new GtfsFarePolicy(
      bundle({
        'fare_products.txt': csv(['fare_product_id', 'amount', 'currency'], ['boarding', '37000', 'IRR'], ['metro', '30000', 'IRR']),
        'networks.txt': csv(['network_id'], ['bus'], ['metro'], ['minibus']),
        'route_networks.txt': csv(['network_id', 'route_id'], ['bus', '12'], ['metro', 'M1'], ['minibus', 'x1']),
        'fare_leg_rules.txt': csv(['leg_group_id', 'network_id', 'fare_product_id'], ['bus', 'bus', 'boarding'], ['metro', 'metro', 'metro'], ['', 'minibus', 'boarding']),
        // From any group but metro, into metro: free. Nothing out of metro.
        'fare_transfer_rules.txt': csv(TRANSFER_HEADER, ['', 'metro', '', '3600', '1', '0', ''], ['metro', 'bus', '', '', '', '1', '']),
      }),
    );
    const into = (from: string, to: string): FareQuote => fares.quote(card({ lastTrip: lastTrip(now, 10, { route: from }) }), context({ route: to }), now);
    expect(into('12', 'M1')).toMatchObject({ amount: 0, transfer: true });
    // metro → metro: metro is listed under from_leg_group_id, so the empty entry does not stand for it.
    expect(into('M1', 'M1')).toMatchObject({ amount: 30_000, transfer: false });
    // metro → bus, type 1 with no product: A + 0 + B, a transfer that saves nothing.
    expect(into('M1', '12')).toMatchObject({ amount: 37_000, transfer: true });
    // A minibus leg has no leg group: no transfer rule can start from it.
    expect(into('x1', 'M1')).toMatchObject({ amount: 30_000, transfer: false });
  });
});

describe('several leg rules for one boarding', () => {
  it('charges the rider\'s cheapest reading: a leg with no transfer rule can beat a transfer that costs more', () => {
    const fares = new GtfsFarePolicy(
      bundle({
        'fare_products.txt': csv(['fare_product_id', 'amount', 'currency'], ['day', '10000', 'IRR'], ['boarding', '20000', 'IRR'], ['add', '15000', 'IRR']),
        // The same boarding is a "cheap" leg or a "linked" leg; only "linked" has a transfer rule, A + AB + B.
        'fare_leg_rules.txt': csv(['leg_group_id', 'fare_product_id'], ['cheap', 'day'], ['linked', 'boarding']),
        'fare_transfer_rules.txt': csv(TRANSFER_HEADER, ['linked', 'linked', '-1', '', '', '1', 'add'], ['cheap', 'linked', '', '', '', '1', 'add']),
      }),
    );
    const now = at('2025-06-03 08:30');
    expect(fares.quote(card(), context(), now)).toMatchObject({ amount: 10_000, transfer: false });
    expect(fares.quote(card({ lastTrip: lastTrip(now, 10) }), context(), now)).toMatchObject({ amount: 10_000, transfer: false, lastTrip: { transfersUsed: 0 } });
  });

  it('takes the transfer on a tie, continuing the chain', () => {
    const fares = new GtfsFarePolicy(
      bundle({
        'fare_products.txt': csv(['fare_product_id', 'amount', 'currency'], ['boarding', '20000', 'IRR'], ['add', '20000', 'IRR']),
        'fare_leg_rules.txt': csv(['leg_group_id', 'fare_product_id'], ['bus', 'boarding']),
        'fare_transfer_rules.txt': csv(TRANSFER_HEADER, ['bus', 'bus', '-1', '', '', '0', 'add']),
      }),
    );
    const now = at('2025-06-03 08:30');
    const last = lastTrip(now, 10);
    expect(fares.quote(card({ lastTrip: last }), context(), now)).toMatchObject({ amount: 20_000, transfer: true, lastTrip: { transfersUsed: 1, chainStart: last.chainStart } });
  });
});

describe('a tap with no context', () => {
  it('charges a bus with no route assigned and no stop known by the rules that name neither', () => {
    const fares = new GtfsFarePolicy(bundle());
    const c: TapContext = context({ route: null, stop: null });
    expect(fares.quote(card(), c, 0)).toMatchObject({ amount: 37_000, lastTrip: { route: '', stop: null } });
  });
});
