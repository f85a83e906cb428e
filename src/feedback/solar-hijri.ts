/** Solar Hijri (Jalali) dates for the passenger display, from Intl's Persian calendar (Node's full ICU). */

export interface JalaliDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

// A calendar day is formatted at UTC midnight in UTC, so no time zone can move it to the day before.
const latinParts = new Intl.DateTimeFormat('en-u-ca-persian-nu-latn', { timeZone: 'UTC', year: 'numeric', month: 'numeric', day: 'numeric' });
const persianDigits = new Intl.NumberFormat('fa-IR', { useGrouping: false });

/** The Solar Hijri date of a Gregorian calendar day (YYYY-MM-DD); throws RangeError on a malformed day. */
export function toJalali(isoDate: string): JalaliDate {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  const utc = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  if (!match || Number.isNaN(utc) || new Date(utc).toISOString().slice(0, 10) !== isoDate) {
    throw new RangeError(`not a calendar day (YYYY-MM-DD): ${JSON.stringify(isoDate)}`);
  }
  const parts = latinParts.formatToParts(utc);
  const part = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
  return { year: part('year'), month: part('month'), day: part('day') };
}

/** "1408/12/29" in Persian digits (۱۴۰۸/۱۲/۲۹), as Iranians write a date: year, month, day. */
export function formatJalaliFa(isoDate: string): string {
  const { year, month, day } = toJalali(isoDate);
  const two = (n: number): string => persianDigits.format(n).padStart(2, '۰');
  return `${persianDigits.format(year)}/${two(month)}/${two(day)}`;
}

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * "1405/01/01 08:15" for an instant in a time zone, Latin digits: for technicians' tables and logs, where
 * columns of digits must line up with the Gregorian times beside them. Throws RangeError for an unknown zone.
 */
export function formatJalaliDateTime(epochMs: number, timeZone: string): string {
  let format = dateTimeFormats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-u-ca-persian-nu-latn', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    dateTimeFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(epochMs);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '??';
  return `${part('year')}/${part('month')}/${part('day')} ${part('hour')}:${part('minute')}`;
}
