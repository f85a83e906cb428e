/** The files of a fare bundle and their columns, as in the GTFS reference ("Field Definitions"). */

export interface FileSchema {
  /** Columns that must be in the header (the reference's Required fields). */
  readonly required: readonly string[];
  readonly optional: readonly string[];
}

export const FARE_FILES = {
  'fare_media.txt': { required: ['fare_media_id', 'fare_media_type'], optional: ['fare_media_name'] },
  'rider_categories.txt': {
    required: ['rider_category_id', 'rider_category_name', 'is_default_fare_category'],
    optional: ['eligibility_url'],
  },
  'fare_products.txt': {
    required: ['fare_product_id', 'amount', 'currency'],
    optional: ['fare_product_name', 'rider_category_id', 'fare_media_id'],
  },
  'fare_leg_rules.txt': {
    required: ['fare_product_id'],
    optional: ['leg_group_id', 'network_id', 'from_area_id', 'to_area_id', 'from_timeframe_group_id', 'to_timeframe_group_id', 'rule_priority'],
  },
  'fare_transfer_rules.txt': {
    required: ['fare_transfer_type'],
    optional: ['from_leg_group_id', 'to_leg_group_id', 'transfer_count', 'duration_limit', 'duration_limit_type', 'fare_product_id'],
  },
  'timeframes.txt': { required: ['timeframe_group_id', 'service_id'], optional: ['start_time', 'end_time'] },
  'calendar.txt': {
    required: ['service_id', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'start_date', 'end_date'],
    optional: [],
  },
  'calendar_dates.txt': { required: ['service_id', 'date', 'exception_type'], optional: [] },
  'networks.txt': { required: ['network_id'], optional: ['network_name'] },
  'route_networks.txt': { required: ['network_id', 'route_id'], optional: [] },
  'areas.txt': { required: ['area_id'], optional: ['area_name'] },
  'stop_areas.txt': { required: ['area_id', 'stop_id'], optional: [] },
  'stops.txt': {
    required: ['stop_id'],
    optional: [
      'stop_code', 'stop_name', 'tts_stop_name', 'stop_desc', 'stop_lat', 'stop_lon', 'zone_id', 'stop_url',
      'location_type', 'parent_station', 'stop_timezone', 'wheelchair_boarding', 'level_id', 'platform_code', 'stop_access',
    ],
  },
} as const satisfies Record<string, FileSchema>;

export type FareFileName = keyof typeof FARE_FILES;

/** Without these there is nothing to charge. The others are optional, as in GTFS. */
export const REQUIRED_FILES: readonly FareFileName[] = ['fare_media.txt', 'rider_categories.txt', 'fare_products.txt', 'fare_leg_rules.txt'];

/** GTFS files a bundle may not carry, and why: the validator would otherwise ignore what they say. */
export const REFUSED_FILES: Readonly<Record<string, string>> = {
  'fare_leg_join_rules.txt':
    'leg join rules need the alighting side of each leg, which a validator at the boarding door does not know; remove the file',
  'fare_attributes.txt': 'Fares v1 is not read: the validator takes its fares from the Fares v2 files only; remove the file',
  'fare_rules.txt': 'Fares v1 is not read: the validator takes its fares from the Fares v2 files only; remove the file',
};

export function isFareFile(name: string): name is FareFileName {
  return Object.hasOwn(FARE_FILES, name);
}
