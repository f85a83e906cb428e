/** Checks a tap before it is hashed and stored: the hash is only reproducible for values the format allows. */
import { ErrorCode, ValidatorError } from '../domain/errors.ts';
import { quantizePosition } from './canonical.ts';
import type { Position, TapFields, TapResult } from './types.ts';

const results: ReadonlySet<string> = new Set<TapResult>(['accepted', 'rejected', 'unresolved']);

// Control characters and lone surrogates are refused: SQLite would store a lone surrogate as U+FFFD
// (so the hash would no longer match), and without control characters JSON escapes only `"` and `\`.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const badText = /[\u0000-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

type Check = (value: unknown) => string | null;

const text: Check = (v) => (typeof v !== 'string' ? 'must be a string' : badText.test(v) ? 'has a control character or a lone surrogate' : null);
const nonEmpty: Check = (v) => text(v) ?? (v === '' ? 'must not be empty' : null);
const orNull = (check: Check): Check => (v) => (v === null ? null : check(v));
const integer: Check = (v) => (Number.isSafeInteger(v) ? null : 'must be a safe integer');
const atLeast = (min: number): Check => (v) => integer(v) ?? ((v as number) < min ? `must be at least ${min}` : null);
const inRange = (min: number, max: number): Check => (v) =>
  integer(v) ?? ((v as number) < min || (v as number) > max ? `must be within ${min}..${max}` : null);

const coordinate = (limit: number): Check => (v) =>
  typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > limit ? `must be a number within ±${limit}` : null;

const position: Check = (v) => {
  if (typeof v !== 'object' || v === null) return 'must be null or { lat, lon }';
  const p = v as Record<string, unknown>;
  const problem = coordinate(90)(p['lat']) ?? coordinate(180)(p['lon']);
  return problem === null ? null : `lat/lon ${problem}`;
};

const checks: Readonly<Record<keyof TapFields, Check>> = {
  id: nonEmpty,
  time: atLeast(0),
  utcOffsetMinutes: inRange(-720, 840),
  device: nonEmpty,
  reader: nonEmpty,
  cardUid: nonEmpty,
  cardNumber: orNull(text),
  cardCounter: orNull(atLeast(0)),
  category: orNull(text),
  result: (v) => (typeof v === 'string' && results.has(v) ? null : 'must be accepted, rejected or unresolved'),
  reason: nonEmpty,
  fare: atLeast(0),
  balanceBefore: orNull(integer),
  balanceAfter: orNull(integer),
  transfer: (v) => (typeof v === 'boolean' ? null : 'must be a boolean'),
  route: orNull(text),
  vehicle: nonEmpty,
  stop: orNull(text),
  position: orNull(position),
  denyListVersion: text,
  faresVersion: text,
  intentId: orNull(nonEmpty),
};

const fieldNames = Object.keys(checks) as (keyof TapFields)[];

/** Returns a clean copy of the tap (known fields only, position quantized), or throws BadRequest naming every bad field. */
export function checkTapFields(value: unknown, what = 'tap'): TapFields {
  if (typeof value !== 'object' || value === null) {
    throw new ValidatorError(ErrorCode.BadRequest, `${what} must be an object`);
  }
  const v = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const name of fieldNames) {
    const problem = checks[name](v[name]);
    if (problem !== null) problems.push(`${name} ${problem}`);
  }
  if (problems.length > 0) {
    throw new ValidatorError(ErrorCode.BadRequest, `${what} cannot be journaled: ${problems.join('; ')}`);
  }
  // Every field was checked above, so these casts only restate what the checks proved.
  return {
    id: v['id'] as string,
    time: v['time'] as number,
    utcOffsetMinutes: v['utcOffsetMinutes'] as number,
    device: v['device'] as string,
    reader: v['reader'] as string,
    cardUid: v['cardUid'] as string,
    cardNumber: v['cardNumber'] as string | null,
    cardCounter: v['cardCounter'] as number | null,
    category: v['category'] as string | null,
    result: v['result'] as TapResult,
    reason: v['reason'] as string,
    fare: v['fare'] as number,
    balanceBefore: v['balanceBefore'] as number | null,
    balanceAfter: v['balanceAfter'] as number | null,
    transfer: v['transfer'] as boolean,
    route: v['route'] as string | null,
    vehicle: v['vehicle'] as string,
    stop: v['stop'] as string | null,
    position: quantizePosition(v['position'] as Position | null),
    denyListVersion: v['denyListVersion'] as string,
    faresVersion: v['faresVersion'] as string,
    intentId: v['intentId'] as string | null,
  };
}
