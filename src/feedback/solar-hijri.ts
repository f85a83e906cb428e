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
