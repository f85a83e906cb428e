import { describe, expect, it } from 'vitest';
import { csv, problems } from './support.ts';

const LEG_HEADER = ['leg_group_id', 'network_id', 'from_area_id', 'to_area_id', 'from_timeframe_group_id', 'to_timeframe_group_id', 'fare_product_id', 'rule_priority'];
const TRANSFER_HEADER = ['from_leg_group_id', 'to_leg_group_id', 'transfer_count', 'duration_limit', 'duration_limit_type', 'fare_transfer_type', 'fare_product_id'];

describe('loading a fare bundle refuses, with file, line and reason', () => {
  it('a manifest that is not IRR, not a time zone, not a date, or has unknown fields', () => {
    expect(problems({}, { version: 'has space', effectiveFrom: '21/04/2025', currency: 'USD', timezone: 'Asia/Qom', extra: 1 })).toEqual([
      'manifest.json: unknown field "extra" (known: version, effectiveFrom, currency, timezone)',
      'manifest.json: version "has space": 1 to 64 printable ASCII characters, no spaces',
      'manifest.json: currency USD: the Qom Card keeps integer rials, so the currency must be IRR',
      'manifest.json: timezone "Asia/Qom" is not an IANA time zone (Asia/Tehran)',
      'manifest.json: effectiveFrom "21/04/2025" is not a date (2025-04-21) or an ISO time (2025-04-21T00:00:00+03:30)',
    ]);
    expect(problems({}, { version: 'v' })).toEqual([
      'manifest.json: "effectiveFrom" must be a non-empty string',
      'manifest.json: "currency" must be a non-empty string',
      'manifest.json: "timezone" must be a non-empty string',
    ]);
  });

  it('files that are missing, unknown, or need the alighting side (leg join rules), and Fares v1', () => {
    expect(problems({ 'fare_products.txt': undefined, 'routes.txt': 'route_id\n1\n', 'fare_leg_join_rules.txt': 'from_network_id,to_network_id\na,a\n', 'fare_rules.txt': 'fare_id\n' })).toEqual([
      'fare_leg_join_rules.txt: leg join rules need the alighting side of each leg, which a validator at the boarding door does not know; remove the file',
      'fare_leg_rules.txt:2: fare_product_id boarding is not in fare_products.txt',
      'fare_products.txt: missing: a fare bundle needs it',
      'fare_rules.txt: Fares v1 is not read: the validator takes its fares from the Fares v2 files only; remove the file',
      expect.stringMatching(/^routes\.txt: not a file of a fare bundle \(known: fare_media\.txt, /) as unknown as string,
    ]);
  });

  it('unknown and missing columns: a misspelt rule_priority would change what empty fields mean', () => {
    expect(problems({ 'fare_leg_rules.txt': csv(['leg_group_id', 'fare_product_id', 'rule_priorty'], ['bus', 'boarding', '1']) })).toEqual([
      expect.stringMatching(/^fare_leg_rules\.txt:1: unknown column "rule_priorty" \(known: fare_product_id, leg_group_id, /) as unknown as string,
    ]);
    expect(problems({ 'fare_media.txt': csv(['fare_media_id'], ['qom_card']) })).toEqual([
      'fare_media.txt: no transit card (fare_media_type 2): the Qom Card must be one of the media',
      'fare_media.txt:1: column "fare_media_type" is missing (required)',
      'fare_media.txt:2: fare_media_type is empty (required)',
      'fare_products.txt:2: fare_media_id qom_card is not in fare_media.txt',
      'fare_products.txt:3: fare_media_id qom_card is not in fare_media.txt',
    ]);
  });

  it('fare media, rider categories and their one default', () => {
    expect(
      problems({
        'fare_media.txt': csv(['fare_media_id', 'fare_media_type'], ['qom_card', '2'], ['qom_card', '2'], ['app', '5']),
        'rider_categories.txt': csv(['rider_category_id', 'rider_category_name', 'is_default_fare_category'], ['adult', 'Adult', '1'], ['student', '', '1'], ['senior', 'Senior', 'yes']),
      }),
    ).toEqual([
      'fare_media.txt:3: repeats line 2 (fare_media_id=qom_card)',
      'fare_media.txt:4: fare_media_type: "5" is not one of 0, 1, 2, 3, 4',
      'fare_products.txt:3: rider_category_id student is not in rider_categories.txt',
      'rider_categories.txt:3: rider_category_name is empty (required)',
      'rider_categories.txt:4: is_default_fare_category: "yes" is not one of 0, 1',
    ]);
    expect(problems({ 'rider_categories.txt': csv(['rider_category_id', 'rider_category_name', 'is_default_fare_category'], ['adult', 'Adult', '1'], ['student', 'Student', '1']) })).toEqual([
      'fare_products.txt:2: fare product boarding is for 2 rider categories (adult, student), 2 of them marked default in rider_categories.txt; exactly one must be',
    ]);
  });

  it('amounts that are not whole rials, other currencies, unknown references, repeated keys', () => {
    expect(
      problems({
        'fare_products.txt': csv(
          ['fare_product_id', 'rider_category_id', 'fare_media_id', 'amount', 'currency'],
          ['boarding', 'adult', 'qom_card', '37000.50', 'IRR'],
          ['boarding', 'student', 'qom_card', '18500.00', 'IRR'],
          ['boarding', 'student', 'qom_card', '18500', 'IRR'],
          ['pass', 'pilot', 'paper', 'ten', 'USD'],
          ['big', '', '', '20000000', 'IRR'],
        ),
      }),
    ).toEqual([
      'fare_products.txt:2: amount: amount 37000.50 is not whole rials (the card keeps integer rials)',
      'fare_products.txt:4: repeats line 3 (fare_product_id=boarding, rider_category_id=student, fare_media_id=qom_card)',
      'fare_products.txt:5: amount: amount "ten" is not a number',
      'fare_products.txt:5: currency USD: the bundle\'s currency is IRR',
      'fare_products.txt:5: rider_category_id pilot is not in rider_categories.txt',
      'fare_products.txt:5: fare_media_id paper is not in fare_media.txt',
      'fare_products.txt:6: amount 20000000 is beyond the 16777215 rials a card records for one boarding',
    ]);
  });

  it('leg rules on the alighting side, unknown ids, negative legs, bad priorities, one entry in two leg groups', () => {
    expect(
      problems({
        'fare_products.txt': csv(['fare_product_id', 'amount', 'currency'], ['boarding', '37000', 'IRR'], ['discount', '-5000', 'IRR']),
        'fare_leg_rules.txt': csv(
          LEG_HEADER,
          ['bus', 'metro', '', '', '', '', 'boarding', ''],
          ['bus', '', 'north', '', 'peak', '', 'boarding', ''],
          ['bus', '', '', 'south', '', '', 'boarding', ''],
          ['bus', '', '', '', '', 'night', 'boarding', ''],
          ['bus', '', '', '', '', '', 'discount', '-1'],
          ['bus', '', '', '', '', '', 'boarding', '0'],
          ['other', '', '', '', '', '', 'boarding', '2'],
          ['other', '', '', '', '', '', 'nothing', ''],
        ),
      }),
    ).toEqual([
      'fare_leg_rules.txt:2: network_id metro is not in networks.txt',
      'fare_leg_rules.txt:3: from_area_id north is not in areas.txt',
      'fare_leg_rules.txt:3: from_timeframe_group_id peak is not a timeframe_group_id in timeframes.txt',
      'fare_leg_rules.txt:4: to_area_id south is refused: the validator knows where a rider boards, not where they get off: rules on the arrival side cannot be applied at the boarding door',
      'fare_leg_rules.txt:5: to_timeframe_group_id night is refused: the validator knows where a rider boards, not where they get off: rules on the arrival side cannot be applied at the boarding door',
      'fare_leg_rules.txt:6: fare product discount costs -5000 (fare_products.txt:3): a leg cannot cost less than nothing',
      'fare_leg_rules.txt:6: rule_priority: -1 is out of range (0 to 9007199254740991)',
      'fare_leg_rules.txt:8: repeats line 7 (network_id=(empty), from_area_id=(empty), to_area_id=(empty), from_timeframe_group_id=(empty), to_timeframe_group_id=(empty), fare_product_id=boarding)',
      'fare_leg_rules.txt:9: fare_product_id nothing is not in fare_products.txt',
    ]);
  });

  it('transfer rules: transfer_count, duration limits measured at an alighting, references', () => {
    expect(
      problems({
        'fare_leg_rules.txt': csv(['leg_group_id', 'network_id', 'fare_product_id'], ['bus', 'n1', 'boarding'], ['metro', 'n2', 'boarding']),
        'networks.txt': csv(['network_id'], ['n1'], ['n2']),
        'fare_transfer_rules.txt': csv(
          TRANSFER_HEADER,
          ['bus', 'bus', '', '3600', '1', '0', ''],
          ['bus', 'metro', '1', '', '', '0', ''],
          ['bus', 'bus', '0', '', '', '0', ''],
          ['metro', 'metro', '-1', '3600', '', '0', ''],
          ['metro', 'bus', '', '', '1', '0', ''],
          ['metro', 'metro', '2', '5400', '0', '1', ''],
          ['metro', 'metro', '3', '5400', '2', '2', ''],
          ['metro', 'metro', '4', '5400', '3', '3', ''],
          ['ferry', 'bus', '', '-5', '1', '0', 'upgrade'],
        ),
      }),
    ).toEqual([
      'fare_transfer_rules.txt:2: transfer_count is required when from_leg_group_id equals to_leg_group_id (-1 for no limit)',
      'fare_transfer_rules.txt:3: transfer_count must be empty when from_leg_group_id and to_leg_group_id differ',
      'fare_transfer_rules.txt:4: transfer_count must not be 0 (-1 for no limit, or 1 or more)',
      'fare_transfer_rules.txt:5: duration_limit_type is required with duration_limit',
      'fare_transfer_rules.txt:6: duration_limit_type must be empty when duration_limit is',
      'fare_transfer_rules.txt:7: duration_limit_type 0 is refused: it measures to or from an arrival, which a validator at the boarding door never sees; use 1 (departure to departure)',
      'fare_transfer_rules.txt:8: duration_limit_type 2 is refused: it measures to or from an arrival, which a validator at the boarding door never sees; use 1 (departure to departure)',
      'fare_transfer_rules.txt:9: duration_limit_type 3 is refused: it measures to or from an arrival, which a validator at the boarding door never sees; use 1 (departure to departure)',
      'fare_transfer_rules.txt:9: fare_transfer_type: "3" is not one of 0, 1, 2',
      'fare_transfer_rules.txt:10: from_leg_group_id ferry is not a leg_group_id in fare_leg_rules.txt',
      'fare_transfer_rules.txt:10: duration_limit: -5 is out of range (1 to 9007199254740991)',
      'fare_transfer_rules.txt:10: fare_product_id upgrade is not in fare_products.txt',
    ]);
  });

  it('timeframes: half-given intervals, past 24:00:00, across midnight in one row, overlaps, unknown services', () => {
    expect(
      problems({
        'calendar.txt': csv(
          ['service_id', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'start_date', 'end_date'],
          ['weekdays', '1', '1', '1', '1', '0', '1', '1', '20250321', '20260320'],
        ),
        'timeframes.txt': csv(
          ['timeframe_group_id', 'start_time', 'end_time', 'service_id'],
          ['peak', '07:00:00', '', 'weekdays'],
          ['peak', '07:00:00', '25:00:00', 'weekdays'],
          ['night', '22:00:00', '05:00:00', 'weekdays'],
          ['peak', '06:30:00', '09:00:00', 'weekdays'],
          ['peak', '08:00:00', '10:00:00', 'weekdays'],
          ['peak', '08:00:00', '10:00:00', 'holidays'],
          ['late', '7:5:00', '24:00:00', 'weekdays'],
        ),
      }),
    ).toEqual([
      'timeframes.txt:2: end_time is empty but the other is set: give both or neither',
      'timeframes.txt:3: end_time: 25:00:00 is after 24:00:00 (split a timeframe that crosses midnight into two rows)',
      'timeframes.txt:4: start_time 22:00:00 is not before end_time 05:00:00: a timeframe across midnight is two rows, one ending 24:00:00 and one starting 00:00:00',
      'timeframes.txt:6: overlaps line 5 (timeframe peak, service weekdays)',
      'timeframes.txt:7: service_id holidays is in neither calendar.txt nor calendar_dates.txt',
      'timeframes.txt:8: start_time: "7:5:00" is not a time (HH:MM:SS)',
    ]);
  });

  it('calendars: impossible dates, ranges backwards, bad flags and exception types, repeated dates', () => {
    expect(
      problems({
        'calendar.txt': csv(
          ['service_id', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'start_date', 'end_date'],
          ['a', '1', '1', '1', '1', '1', '1', '2', '20250230', '20250301'],
          ['b', '1', '1', '1', '1', '1', '1', '1', '20250301', '20250201'],
          ['a', '1', '1', '1', '1', '1', '1', '1', '20250101', '20250201'],
        ),
        'calendar_dates.txt': csv(['service_id', 'date', 'exception_type'], ['h', '20250901', '3'], ['h', '20250902', '1'], ['h', '20250902', '2']),
      }),
    ).toEqual([
      'calendar.txt:2: sunday: "2" is not one of 0, 1',
      'calendar.txt:2: start_date: 20250230 is not a real date',
      'calendar.txt:3: end_date 20250201 is before start_date 20250301',
      'calendar.txt:4: repeats line 2 (service_id=a)',
      'calendar_dates.txt:2: exception_type: "3" is not one of 1, 2',
      'calendar_dates.txt:4: repeats line 3 (service_id=h, date=20250902)',
    ]);
  });

  it('networks, areas and stops that do not resolve, a route in two networks, a second time zone', () => {
    expect(
      problems({
        'networks.txt': csv(['network_id'], ['city']),
        'route_networks.txt': csv(['network_id', 'route_id'], ['city', '12'], ['brt', '12']),
        'areas.txt': csv(['area_id'], ['center']),
        'stops.txt': csv(['stop_id', 'parent_station', 'stop_timezone'], ['s1', 'station9', ''], ['s2', '', 'Asia/Dubai']),
        'stop_areas.txt': csv(['area_id', 'stop_id'], ['center', 's1'], ['edge', 's3'], ['center', 's1']),
      }),
    ).toEqual([
      'route_networks.txt:3: network_id brt is not in networks.txt',
      'route_networks.txt:3: route 12 is already in network city; a route belongs to one network',
      'stop_areas.txt:3: area_id edge is not in areas.txt',
      'stop_areas.txt:3: stop_id s3 is not in stops.txt',
      'stop_areas.txt:4: repeats line 2 (area_id=center, stop_id=s1)',
      'stops.txt:2: parent_station station9 is not in stops.txt',
      'stops.txt:3: stop_timezone Asia/Dubai differs from the bundle\'s Asia/Tehran: the validator reads timeframes in one zone',
    ]);
  });

  it('reports every problem of every file at once, sorted by file and line', () => {
    const all = problems({
      'fare_products.txt': csv(['fare_product_id', 'rider_category_id', 'fare_media_id', 'amount', 'currency'], ['boarding', 'adult', 'qom_card', '1.5', 'IRR']),
      'fare_leg_rules.txt': csv(['leg_group_id', 'to_area_id', 'fare_product_id'], ['bus', 'x', 'boarding']),
      'timeframes.txt': csv(['timeframe_group_id', 'service_id'], ['t', 'nowhere']),
    });
    expect(all).toEqual([
      'fare_leg_rules.txt:2: to_area_id x is refused: the validator knows where a rider boards, not where they get off: rules on the arrival side cannot be applied at the boarding door',
      'fare_products.txt:2: amount: amount 1.5 is not whole rials (the card keeps integer rials)',
      'timeframes.txt:2: service_id nowhere is in neither calendar.txt nor calendar_dates.txt',
    ]);
  });
});
