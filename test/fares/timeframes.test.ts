import { describe, expect, it } from 'vitest';
import { Reason } from '../../src/domain/reasons.ts';
import { GtfsFarePolicy } from '../../src/fares/gtfs-fare-policy.ts';
import { ZoneClock } from '../../src/fares/local-time.ts';
import { at, bundle, card, context, csv } from './support.ts';

/**
 * A Tehran network with a cheaper night fare on working days (Saturday to Wednesday: Iran's working week),
 * 22:00 to 05:00 split at midnight as the reference requires, and free days from calendar_dates.txt.
 */
const tehran = bundle({
  'fare_products.txt': csv(
    ['fare_product_id', 'amount', 'currency'],
    ['boarding', '37000', 'IRR'],
    ['night', '20000', 'IRR'],
    ['free', '0', 'IRR'],
  ),
  'calendar.txt': csv(
    ['service_id', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'start_date', 'end_date'],
    ['working_days', '1', '1', '1', '0', '0', '1', '1', '20250321', '20260320'],
  ),
  'calendar_dates.txt': csv(
    ['service_id', 'date', 'exception_type'],
    // A city holiday on a Monday: no working-day night fare, and a free day.
    ['working_days', '20250602', '2'],
    ['free_days', '20250602', '1'],
  ),
  'timeframes.txt': csv(
    ['timeframe_group_id', 'start_time', 'end_time', 'service_id'],
    ['night', '22:00:00', '24:00:00', 'working_days'],
    ['night', '00:00:00', '05:00:00', 'working_days'],
    ['free_day', '', '', 'free_days'],
  ),
  'fare_leg_rules.txt': csv(
    ['leg_group_id', 'from_timeframe_group_id', 'fare_product_id', 'rule_priority'],
    ['bus', '', 'boarding', '0'],
    ['bus', 'night', 'night', '1'],
    ['bus', 'free_day', 'free', '2'],
  ),
});
const fares = new GtfsFarePolicy(tehran);
const fare = (local: string): number => fares.quote(card(), context(), at(local)).amount;

describe('timeframes in Asia/Tehran', () => {
  it('reads the local wall clock at +03:30 all year', () => {
    const clock = new ZoneClock('Asia/Tehran');
    // 2025-06-03 23:59:59 in Tehran is 20:29:59 UTC; one second later it is the 4th in Tehran, still the 3rd in UTC.
    expect(clock.at(Date.UTC(2025, 5, 3, 20, 29, 59))).toEqual({ date: '2025-06-03', secondOfDay: 86_399 });
    expect(clock.at(Date.UTC(2025, 5, 3, 20, 30, 0))).toEqual({ date: '2025-06-04', secondOfDay: 0 });
    // No daylight saving since 2022: the same offset in summer and winter.
    expect(clock.at(Date.UTC(2025, 0, 15, 4, 0, 0))).toEqual({ date: '2025-01-15', secondOfDay: 7.5 * 3600 });
    expect(clock.at(Date.UTC(2025, 6, 15, 4, 0, 0))).toEqual({ date: '2025-07-15', secondOfDay: 7.5 * 3600 });
  });

  it('includes the start time and excludes the end time', () => {
    expect(fare('2025-06-03 21:59:59')).toBe(37_000); // Tuesday
    expect(fare('2025-06-03 22:00:00')).toBe(20_000);
    expect(fare('2025-06-04 04:59:59')).toBe(20_000);
    expect(fare('2025-06-04 05:00:00')).toBe(37_000);
  });

  it('matches after midnight on the "current day", not the service day of the night before', () => {
    // Wednesday 23:30: a working-day night. Thursday 01:00 is Thursday's, and Thursday is no working day.
    expect(fare('2025-06-04 23:30:00')).toBe(20_000);
    expect(fare('2025-06-05 01:00:00')).toBe(37_000);
    // Friday 23:00 is no working day, but Saturday 01:00 is Saturday's: a working day.
    expect(fare('2025-06-06 23:00:00')).toBe(37_000);
    expect(fare('2025-06-07 01:00:00')).toBe(20_000);
  });

  it('makes a holiday free and removes it from the working days, from calendar_dates.txt alone', () => {
    expect(fare('2025-06-02 08:00:00')).toBe(0);
    expect(fare('2025-06-02 23:00:00')).toBe(0);
    // Just after midnight is the next day: a working-day night again.
    expect(fare('2025-06-03 00:30:00')).toBe(20_000);
    // The week before, the same Monday is an ordinary working day.
    expect(fare('2025-05-26 08:00:00')).toBe(37_000);
    const free = fares.quote(card({ balance: 0 }), context(), at('2025-06-02 08:00:00'));
    // A free ride is still a boarding: accepted at a zero balance, and written on the card.
    expect(free).toMatchObject({ result: 'accept', reason: Reason.Ok, amount: 0, lastTrip: { amount: 0 } });
  });

  it('has no timeframe outside the calendar\'s range, so only the base fare applies there', () => {
    expect(fare('2026-03-23 23:00:00')).toBe(37_000);
  });
});
