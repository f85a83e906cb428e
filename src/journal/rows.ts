/** How a TapRecord maps onto a row of the taps table, both ways. */
import { fromE7, toE7 } from './canonical.ts';
import { checkTapFields } from './check-tap-fields.ts';
import type { TapFields, TapRecord } from './types.ts';

/** A row of the taps table, as better-sqlite3 returns it. */
export interface TapRow {
  seq: number;
  id: string;
  time: number;
  utc_offset_minutes: number;
  device: string;
  reader: string;
  card_uid: string;
  card_number: string | null;
  card_counter: number | null;
  category: string | null;
  result: string;
  reason: string;
  fare: number;
  balance_before: number | null;
  balance_after: number | null;
  transfer: number;
  route: string | null;
  vehicle: string;
  stop: string | null;
  lat_e7: number | null;
  lon_e7: number | null;
  deny_list_version: string;
  fares_version: string;
  intent_id: string | null;
  prev_hash: string;
  hash: string;
}

/** The columns in table order, for INSERT and SELECT lists. */
export const TAP_COLUMNS = [
  'seq', 'id', 'time', 'utc_offset_minutes', 'device', 'reader', 'card_uid', 'card_number', 'card_counter',
  'category', 'result', 'reason', 'fare', 'balance_before', 'balance_after', 'transfer', 'route', 'vehicle',
  'stop', 'lat_e7', 'lon_e7', 'deny_list_version', 'fares_version', 'intent_id', 'prev_hash', 'hash',
] as const satisfies readonly (keyof TapRow)[];

/** The values of a record's row, in TAP_COLUMNS order (better-sqlite3 binds no booleans: transfer is 0 or 1). */
export function recordValues(r: TapRecord): unknown[] {
  const pos = r.position;
  return [
    r.seq, r.id, r.time, r.utcOffsetMinutes, r.device, r.reader, r.cardUid, r.cardNumber, r.cardCounter,
    r.category, r.result, r.reason, r.fare, r.balanceBefore, r.balanceAfter, r.transfer ? 1 : 0, r.route, r.vehicle,
    r.stop, pos === null ? null : toE7(pos.lat), pos === null ? null : toE7(pos.lon), r.denyListVersion, r.faresVersion,
    r.intentId, r.prevHash, r.hash,
  ];
}

/**
 * A record's JSON, built by SQLite from the row: the same fields and values as JSON.stringify(rowToRecord(row)),
 * without making a JavaScript object per record (seven times cheaper, and next to no garbage: sync reads
 * 100,000 of these while taps go on). A row edited behind the journal's back passes through as it is, for
 * the receiver's checks (shape, hash chain) to refuse. test/journal/wire-json.test.ts holds the two equal.
 */
export const TAP_JSON_SQL = `json_object(
  'seq', seq, 'id', id, 'time', time, 'utcOffsetMinutes', utc_offset_minutes, 'device', device, 'reader', reader,
  'cardUid', card_uid, 'cardNumber', card_number, 'cardCounter', card_counter, 'category', category,
  'result', result, 'reason', reason, 'fare', fare, 'balanceBefore', balance_before, 'balanceAfter', balance_after,
  'transfer', json(CASE transfer WHEN 1 THEN 'true' ELSE 'false' END),
  'route', route, 'vehicle', vehicle, 'stop', stop,
  'position', CASE WHEN lat_e7 IS NULL AND lon_e7 IS NULL THEN NULL ELSE json_object('lat', lat_e7 / 1e7, 'lon', lon_e7 / 1e7) END,
  'denyListVersion', deny_list_version, 'faresVersion', fares_version, 'intentId', intent_id,
  'prevHash', prev_hash, 'hash', hash)`;

/** The record in a row; throws BadRequest if the row holds values a record cannot (a damaged or edited row). */
export function rowToRecord(row: TapRow): TapRecord {
  const fields: Record<keyof TapFields, unknown> = {
    id: row.id,
    time: row.time,
    utcOffsetMinutes: row.utc_offset_minutes,
    device: row.device,
    reader: row.reader,
    cardUid: row.card_uid,
    cardNumber: row.card_number,
    cardCounter: row.card_counter,
    category: row.category,
    result: row.result,
    reason: row.reason,
    fare: row.fare,
    balanceBefore: row.balance_before,
    balanceAfter: row.balance_after,
    transfer: row.transfer === 1 ? true : row.transfer === 0 ? false : row.transfer,
    route: row.route,
    vehicle: row.vehicle,
    stop: row.stop,
    position: row.lat_e7 === null && row.lon_e7 === null ? null : { lat: e7(row.lat_e7), lon: e7(row.lon_e7) },
    denyListVersion: row.deny_list_version,
    faresVersion: row.fares_version,
    intentId: row.intent_id,
  };
  return { ...checkTapFields(fields, `record ${row.seq}`), seq: row.seq, prevHash: row.prev_hash, hash: row.hash };
}

function e7(value: number | null): number {
  return value === null ? Number.NaN : fromE7(value);
}
