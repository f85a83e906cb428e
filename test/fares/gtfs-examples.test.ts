/**
 * The worked examples of gtfs.org ("Fares v2" examples and the fares guide: Maryland MTA, WMATA, Translink,
 * SF Muni, Clean Air Express), as bundles. Amounts are scaled to whole rials (1.00 USD/CAD → 10,000 IRR),
 * since a bundle's currency is IRR; the structure of each example is kept as published.
 */
import { describe, expect, it } from 'vitest';
import { GtfsFarePolicy } from '../../src/fares/gtfs-fare-policy.ts';
import { Reason } from '../../src/domain/reasons.ts';
import { bundle, card, context, csv, lastTrip, problems } from './support.ts';
import { parseInstant } from '../../src/fares/local-time.ts';

const PRODUCTS = ['fare_product_id', 'fare_product_name', 'rider_category_id', 'fare_media_id', 'amount', 'currency'];
const ADULT_ONLY = csv(['rider_category_id', 'rider_category_name', 'is_default_fare_category'], ['adult', 'Adult', '1']);

describe('Maryland MTA: four products for one leg, unlimited transfers within 90 minutes (fare_transfer_type 0)', () => {
  const mta = bundle({
    'fare_media.txt': csv(['fare_media_id', 'fare_media_name', 'fare_media_type'], ['charm_card', 'CharmCard', '2']),
    'rider_categories.txt': ADULT_ONLY,
    'fare_products.txt': csv(
      PRODUCTS,
      ['core_local_oneway_fare', 'One Way Full Fare', '', '', '20000', 'IRR'],
      ['core_local_1_day_fare', '1-Day Pass - Core Service', '', '', '46000', 'IRR'],
      ['core_local_31_day_fare', '31-Day Pass - Core Service', '', '', '770000', 'IRR'],
      ['core_local_7_day_fare', '7-Day Pass - Core Service', '', '', '220000', 'IRR'],
    ),
    'networks.txt': csv(['network_id', 'network_name'], ['core', 'BaltimoreLink, Light RailLink, Metro SubwayLink']),
    'route_networks.txt': csv(['network_id', 'route_id'], ['core', 'CityLink Blue'], ['core', 'Metro']),
    'fare_leg_rules.txt': csv(
      ['leg_group_id', 'network_id', 'fare_product_id'],
      ['core_local_one_way_trip', 'core', 'core_local_oneway_fare'],
      ['core_local_one_way_trip', 'core', 'core_local_1_day_fare'],
      ['core_local_one_way_trip', 'core', 'core_local_31_day_fare'],
      ['core_local_one_way_trip', 'core', 'core_local_7_day_fare'],
    ),
    'fare_transfer_rules.txt': csv(
      ['from_leg_group_id', 'to_leg_group_id', 'duration_limit', 'duration_limit_type', 'fare_transfer_type', 'transfer_count'],
      ['core_local_one_way_trip', 'core_local_one_way_trip', '5400', '1', '0', '-1'],
    ),
  });
  const fares = new GtfsFarePolicy(mta);
  const start = Date.UTC(2025, 5, 2, 12, 0, 0);

  it('charges the one-way fare, the cheapest product a stored-value card can pay with', () => {
    const q = fares.quote(card(), context({ route: 'CityLink Blue' }), start);
    expect(q).toMatchObject({ result: 'accept', reason: Reason.Ok, amount: 20_000, transfer: false });
    expect(q.lastTrip).toMatchObject({ transfersUsed: 0, chainStart: start, amount: 20_000 });
  });

  it('lets the rider transfer any number of times within 90 minutes of the first boarding, then charges again', () => {
    const first = lastTrip(start, 0, { route: 'CityLink Blue', amount: 20_000 });
    const second = fares.quote(card({ lastTrip: first }), context({ route: 'Metro' }), start + 30 * 60_000);
    expect(second).toMatchObject({ amount: 0, transfer: true, lastTrip: { transfersUsed: 1, chainStart: first.chainStart } });
    const third = fares.quote(card({ lastTrip: second.lastTrip }), context({ route: 'CityLink Blue', vehicle: 'BUS-9' }), start + 90 * 60_000);
    expect(third).toMatchObject({ amount: 0, transfer: true, lastTrip: { transfersUsed: 2, chainStart: first.chainStart } });
    const late = fares.quote(card({ lastTrip: third.lastTrip }), context({ route: 'Metro' }), start + 90 * 60_000 + 1000);
    expect(late).toMatchObject({ amount: 20_000, transfer: false, lastTrip: { transfersUsed: 0, chainStart: start + 90 * 60_000 + 1000 } });
  });

  it('has no fare for a route outside the core network', () => {
    expect(fares.quote(card(), context({ route: 'Commuter 410' }), start)).toMatchObject({ result: 'reject', reason: Reason.NoFare });
  });
});

describe('WMATA: fares by time of day and day of week (timeframes.txt, no rule_priority)', () => {
  const zone = 'America/New_York';
  const wmata = bundle(
    {
      'fare_media.txt': csv(['fare_media_id', 'fare_media_type'], ['smartrip', '2']),
      'rider_categories.txt': ADULT_ONLY,
      'fare_products.txt': csv(
        PRODUCTS,
        ['peak_fare', 'Peak fare', '', '', '50000', 'IRR'],
        ['regular_fare', 'Off-peak fare', '', '', '30000', 'IRR'],
        ['weekend_fare', 'Weekend Metrorail one-way fare', '', '', '20000', 'IRR'],
        ['late_night_fare', 'Late Night flat fare (Mon - Fri after 9:30pm)', '', '', '21000', 'IRR'],
      ),
      'calendar.txt': csv(
        ['service_id', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'start_date', 'end_date'],
        ['weekday_service', '1', '1', '1', '1', '1', '0', '0', '20220708', '20221231'],
        ['saturday_service', '0', '0', '0', '0', '0', '1', '0', '20220708', '20221231'],
        ['sunday_service', '0', '0', '0', '0', '0', '0', '1', '20220708', '20221231'],
      ),
      'timeframes.txt': csv(
        ['timeframe_group_id', 'start_time', 'end_time', 'service_id'],
        ['weekday_peak', '5:00:00', '9:30:00', 'weekday_service'],
        ['weekday_offpeak', '9:30:00', '15:00:00', 'weekday_service'],
        ['weekday_peak', '15:00:00', '19:00:00', 'weekday_service'],
        ['weekday_offpeak', '19:00:00', '21:30:00', 'weekday_service'],
        ['weekday_late_night', '21:30:00', '24:00:00', 'weekday_service'],
        ['weekday_late_night', '00:00:00', '5:00:00', 'weekday_service'],
        ['weekend', '', '', 'saturday_service'],
        ['weekend', '', '', 'sunday_service'],
      ),
      'networks.txt': csv(['network_id'], ['1']),
      'route_networks.txt': csv(['network_id', 'route_id'], ['1', 'RED']),
      'fare_leg_rules.txt': csv(
        ['network_id', 'fare_product_id', 'from_timeframe_group_id', 'to_timeframe_group_id'],
        ['1', 'weekend_fare', 'weekend', ''],
        ['1', 'late_night_fare', 'weekday_late_night', ''],
        ['1', 'peak_fare', 'weekday_peak', ''],
        ['1', 'regular_fare', 'weekday_offpeak', ''],
      ),
    },
    { version: 'wmata', effectiveFrom: '2022-07-08', currency: 'IRR', timezone: zone },
  );
  const fares = new GtfsFarePolicy(wmata);
  const local = (t: string): number => parseInstant(t, zone) ?? Number.NaN;
  const fare = (t: string): number => fares.quote(card(), context({ route: 'RED' }), local(t)).amount;

  it('charges 5.00 for a 7:30 AM departure and 3.00 at 11:30 AM, as the example says', () => {
    expect(fare('2022-09-14T07:30:00')).toBe(50_000);
    expect(fare('2022-09-14T11:30:00')).toBe(30_000);
  });

  it('takes the start time inclusive and the end time exclusive', () => {
    expect(fare('2022-09-14T09:29:59')).toBe(50_000);
    expect(fare('2022-09-14T09:30:00')).toBe(30_000);
    expect(fare('2022-09-14T21:30:00')).toBe(21_000);
  });

  it('reads the late-night split at midnight on the current day, and weekends whole', () => {
    expect(fare('2022-09-14T23:59:59')).toBe(21_000);
    expect(fare('2022-09-15T02:00:00')).toBe(21_000);
    // Saturday 02:00 is "current day" Saturday: the weekend fare, not Friday's late night.
    expect(fare('2022-09-17T02:00:00')).toBe(20_000);
    expect(fare('2022-09-18T12:00:00')).toBe(20_000);
    // Monday 02:00 is Monday's late night.
    expect(fare('2022-09-19T02:00:00')).toBe(21_000);
  });

  it('uses local wall time across a daylight-saving change', () => {
    // 2022-11-06: New York goes from -04:00 to -05:00. 07:30 on the 7th is still the peak.
    expect(fare('2022-11-07T07:30:00')).toBe(50_000);
    expect(fare('2022-11-04T07:30:00')).toBe(50_000);
  });

  it('has no fare outside the calendar', () => {
    expect(fares.quote(card(), context({ route: 'RED' }), local('2023-01-03T07:30:00')).reason).toBe(Reason.NoFare);
  });
});

describe('Translink: rule_priority between flat, evening and Sea Island fares (the tap-on part of the example)', () => {
  const files = {
    'fare_media.txt': csv(['fare_media_id', 'fare_media_name', 'fare_media_type'], ['compass_card', 'Compass Card', '2'], ['contactless', 'Contactless', '3']),
    'rider_categories.txt': csv(['rider_category_id', 'rider_category_name', 'is_default_fare_category', 'eligibility_url'], ['adult', 'Adult', '1', ''], [
      'concession',
      'Concession',
      '',
      'https://www.translink.ca/transit-fares/pricing-and-fare-zones#fare-pricing',
    ]),
    'fare_products.txt': csv(
      PRODUCTS,
      ['bus_flat_fare', 'Bus Flat Fare', 'adult', 'contactless', '32000', 'IRR'],
      ['bus_flat_fare', 'Bus Flat Fare', 'concession', 'contactless', '21500', 'IRR'],
      ['bus_flat_fare', 'Bus Flat Fare', '', 'compass_card', '26000', 'IRR'],
      ['1_zone_fare', '1 Zone Fare', '', '', '32000', 'IRR'],
      ['sea_island_1_zone_fare', 'Sea Island 1 Zone Fare', '', '', '82000', 'IRR'],
      ['sea_island_upgrade', 'Sea Island surcharge', '', '', '50000', 'IRR'],
    ),
    'networks.txt': csv(['network_id', 'network_name'], ['translink_bus', 'Translink Buses'], ['skytrain_seabus', 'SkyTrain and SeaBus']),
    'route_networks.txt': csv(['route_id', 'network_id'], ['10232', 'translink_bus'], ['canada_line', 'skytrain_seabus']),
    'areas.txt': csv(['area_id', 'area_name'], ['ZN1', 'Zone 1'], ['sea_island', 'Sea Island']),
    'stops.txt': csv(['stop_id', 'stop_name', 'location_type', 'parent_station'], ['yvr', 'YVR-Airport Station', '1', ''], ['yvr_platform', 'YVR-Airport Platform', '0', 'yvr'], [
      'waterfront',
      'Waterfront Station',
      '',
      '',
    ]),
    'stop_areas.txt': csv(['area_id', 'stop_id'], ['sea_island', 'yvr'], ['ZN1', 'waterfront']),
    'calendar.txt': csv(
      ['service_id', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'start_date', 'end_date'],
      ['weekday_service', '1', '1', '1', '1', '1', '0', '0', '20250101', '20251231'],
      ['weekend_service', '0', '0', '0', '0', '0', '1', '1', '20250101', '20251231'],
    ),
    'timeframes.txt': csv(
      ['timeframe_group_id', 'start_time', 'end_time', 'service_id'],
      ['weekday_daytime', '03:00:00', '18:30:00', 'weekday_service'],
      ['weekday_evening', '18:30:00', '24:00:00', 'weekday_service'],
      ['weekday_evening', '00:00:00', '03:00:00', 'weekday_service'],
      ['weekend', '', '', 'weekend_service'],
    ),
    'fare_leg_rules.txt': csv(
      ['leg_group_id', 'network_id', 'fare_product_id', 'from_area_id', 'to_area_id', 'from_timeframe_group_id', 'to_timeframe_group_id', 'rule_priority'],
      ['flat_fare_leg', 'translink_bus', 'bus_flat_fare', '', '', '', '', ''],
      ['flat_fare_leg', 'skytrain_seabus', '1_zone_fare', '', '', 'weekday_evening', '', '1'],
      ['flat_fare_leg', 'skytrain_seabus', '1_zone_fare', '', '', 'weekend', '', '1'],
      ['flat_fare_sea_island_leg', 'skytrain_seabus', 'sea_island_1_zone_fare', 'sea_island', '', 'weekday_evening', '', '2'],
      ['flat_fare_sea_island_leg', 'skytrain_seabus', 'sea_island_1_zone_fare', 'sea_island', '', 'weekend', '', '2'],
    ),
    'fare_transfer_rules.txt': csv(
      ['from_leg_group_id', 'to_leg_group_id', 'transfer_count', 'duration_limit', 'duration_limit_type', 'fare_transfer_type', 'fare_product_id'],
      ['flat_fare_leg', 'flat_fare_leg', '-1', '5400', '1', '0', ''],
      ['flat_fare_leg', 'flat_fare_sea_island_leg', '', '5400', '1', '0', 'sea_island_upgrade'],
    ),
  };
  const translink = bundle(files, { version: 'translink', effectiveFrom: '2025-01-01', currency: 'IRR', timezone: 'America/Vancouver' });
  const compass = new GtfsFarePolicy(translink);
  const local = (t: string): number => parseInstant(t, 'America/Vancouver') ?? Number.NaN;
  const WEDNESDAY_EVENING = local('2025-06-04T20:00:00');
  const SATURDAY = local('2025-06-07T12:00:00');
  const WEDNESDAY_DAY = local('2025-06-04T10:00:00');

  it('prices the bus by medium and rider category (fare media and rider categories examples)', () => {
    const contactless = new GtfsFarePolicy(translink, { medium: 'contactless' });
    expect(contactless.quote(card(), context({ route: '10232' }), WEDNESDAY_DAY).amount).toBe(32_000);
    expect(contactless.quote(card({ category: 'concession' }), context({ route: '10232' }), WEDNESDAY_DAY).amount).toBe(21_500);
    // The Compass Card row names no rider category: "eligible for any rider_category_id".
    expect(compass.quote(card({ category: 'concession' }), context({ route: '10232' }), WEDNESDAY_DAY).amount).toBe(26_000);
  });

  it('lets the higher rule_priority win where rules overlap: Sea Island over the flat evening fare', () => {
    const train = (stop: string, time: number): number => compass.quote(card(), context({ route: 'canada_line', stop }), time).amount;
    expect(train('waterfront', WEDNESDAY_EVENING)).toBe(32_000);
    expect(train('waterfront', SATURDAY)).toBe(32_000);
    // A platform inherits its station's area (stop_areas.txt).
    expect(train('yvr_platform', WEDNESDAY_EVENING)).toBe(82_000);
    expect(train('yvr', SATURDAY)).toBe(82_000);
  });

  it('has no tap-on fare for SkyTrain in the weekday daytime, whose rules all need the arrival zone', () => {
    expect(compass.quote(card(), context({ route: 'canada_line', stop: 'waterfront' }), WEDNESDAY_DAY).reason).toBe(Reason.NoFare);
  });

  it('transfers free between flat legs within 90 minutes, and charges the surcharge product into Sea Island (A + AB)', () => {
    const bus = lastTrip(WEDNESDAY_EVENING, 20, { route: '10232', amount: 26_000 });
    expect(compass.quote(card({ lastTrip: bus }), context({ route: 'canada_line', stop: 'waterfront' }), WEDNESDAY_EVENING)).toMatchObject({ amount: 0, transfer: true });
    expect(compass.quote(card({ lastTrip: bus }), context({ route: 'canada_line', stop: 'yvr' }), WEDNESDAY_EVENING)).toMatchObject({ amount: 50_000, transfer: true });
  });

  it('refuses the published zone rules, which need the arrival zone, naming each line', () => {
    const zoneRules = csv(
      ['leg_group_id', 'network_id', 'fare_product_id', 'from_area_id', 'to_area_id', 'from_timeframe_group_id', 'to_timeframe_group_id', 'rule_priority'],
      ['flat_fare_leg', 'translink_bus', 'bus_flat_fare', '', '', '', '', ''],
      ['ZN1_ZN1', 'skytrain_seabus', '1_zone_fare', 'ZN1', 'ZN1', '', '', ''],
      ['sea_island_sea_island', 'skytrain_seabus', 'sea_island_1_zone_fare', 'sea_island', 'sea_island', '', '', '3'],
    );
    expect(problems({ ...files, 'fare_leg_rules.txt': zoneRules, 'fare_transfer_rules.txt': undefined })).toEqual([
      expect.stringMatching(/^fare_leg_rules\.txt:3: to_area_id ZN1 is refused: /) as unknown as string,
      expect.stringMatching(/^fare_leg_rules\.txt:4: to_area_id sea_island is refused: /) as unknown as string,
    ]);
  });
});

describe('SF Muni and Clean Air Express: the price depends on the fare medium', () => {
  const media = csv(['fare_media_id', 'fare_media_name', 'fare_media_type'], ['clipper', 'Clipper', '2'], ['munimobile', 'SFMTA MuniMobile', '4'], ['cash', 'Cash', '0'], [
    'tap_to_ride',
    'Tap to Ride',
    '3',
  ]);
  const sf = bundle({
    'fare_media.txt': media,
    'rider_categories.txt': ADULT_ONLY,
    'fare_products.txt': csv(
      PRODUCTS,
      ['SF:local:single', 'Muni single local fare', '', 'cash', '30000', 'IRR'],
      ['SF:local:single', 'Muni single local fare', '', 'clipper', '25000', 'IRR'],
      ['single-ride', 'Single Ride', '', 'tap_to_ride', '60000', 'IRR'],
      ['single-ride', 'Single Ride', '', '', '70000', 'IRR'],
    ),
    'networks.txt': csv(['network_id'], ['muni'], ['clean_air']),
    'route_networks.txt': csv(['network_id', 'route_id'], ['muni', 'J'], ['clean_air', 'CAE']),
    'fare_leg_rules.txt': csv(['network_id', 'fare_product_id'], ['muni', 'SF:local:single'], ['clean_air', 'single-ride']),
  });

  it('charges the Clipper price to a Clipper card and the cash price to cash', () => {
    expect(new GtfsFarePolicy(sf).quote(card(), context({ route: 'J' }), 0).amount).toBe(25_000);
    expect(new GtfsFarePolicy(sf, { medium: 'cash' }).quote(card(), context({ route: 'J' }), 0).amount).toBe(30_000);
  });

  it('uses a row with an unknown (empty) medium only when none names the medium, and not a medium it does not list', () => {
    expect(new GtfsFarePolicy(sf, { medium: 'tap_to_ride' }).quote(card(), context({ route: 'CAE' }), 0).amount).toBe(60_000);
    expect(new GtfsFarePolicy(sf).quote(card(), context({ route: 'CAE' }), 0).amount).toBe(70_000);
    expect(new GtfsFarePolicy(sf, { medium: 'munimobile' }).quote(card(), context({ route: 'J' }), 0).reason).toBe(Reason.NoFare);
  });
});
