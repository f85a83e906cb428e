/**
 * Field types of the GTFS reference ("Field Types"), parsed strictly. Each returns the value or, as a
 * string starting with a lowercase word, what is wrong with it: the caller adds file and line.
 */

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(error: string): Parsed<T> => ({ ok: false, error });

/**
 * A currency amount in integer rials. GTFS amounts are decimals with the currency's ISO 4217 minor
 * units; the Qom Card keeps whole rials, so "37000" and "37000.00" are accepted and "37000.5" is not.
 * Negative amounts are allowed here (GTFS uses them for transfer discounts); callers that need a
 * non-negative amount check it.
 */
export function wholeRials(text: string): Parsed<number> {
  const m = /^(-?\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return bad(`amount "${text}" is not a number`);
  if (m[2] !== undefined && /[1-9]/.test(m[2])) return bad(`amount ${text} is not whole rials (the card keeps integer rials)`);
  const value = Number(m[1]);
  if (!Number.isSafeInteger(value)) return bad(`amount ${text} is too large`);
  return ok(value === 0 ? 0 : value);
}

/** An integer, optionally within bounds. */
export function integer(text: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): Parsed<number> {
  if (!/^-?\d+$/.test(text)) return bad(`"${text}" is not an integer`);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max) return bad(`${text} is out of range (${min} to ${max})`);
  return ok(value);
}

/** One of the enum's listed values. */
export function enumValue<T extends number>(text: string, allowed: readonly T[]): Parsed<T> {
  const found = allowed.find((v) => String(v) === text);
  return found === undefined ? bad(`"${text}" is not one of ${allowed.join(', ')}`) : ok(found);
}

/** GTFS "Local time" (H:MM:SS or HH:MM:SS) as seconds after midnight; at most 24:00:00 (timeframes.txt). */
export function localTime(text: string): Parsed<number> {
  const m = /^(\d{1,2}):([0-5]\d):([0-5]\d)$/.exec(text);
  if (!m) return bad(`"${text}" is not a time (HH:MM:SS)`);
  const seconds = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  if (seconds > 24 * 3600) return bad(`${text} is after 24:00:00 (split a timeframe that crosses midnight into two rows)`);
  return ok(seconds);
}

/** GTFS "Date" (YYYYMMDD) as "YYYY-MM-DD", the form the domain's localDate() gives; a date that does not exist is refused. */
export function gtfsDate(text: string): Parsed<string> {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (!m) return bad(`"${text}" is not a date (YYYYMMDD)`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return bad(`${text} is not a real date`);
  return ok(`${m[1]}-${m[2]}-${m[3]}`);
}
