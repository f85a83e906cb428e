import { ErrorCode, ValidatorError } from '../../src/domain/errors.ts';

/** Calendar dates on the card: days since 1970-01-01 as an unsigned 16-bit number (up to 2149-06-06). */
const DAY_MS = 86_400_000;

/** Day number of a YYYY-MM-DD date; `what` names the field in the error. */
export function encodeDay(date: string, what: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  const day = ms / DAY_MS;
  if (!m || !Number.isInteger(day) || decodeDay(day) !== date || day < 0 || day > 0xffff) {
    throw new ValidatorError(ErrorCode.BadRequest, `${what} "${date}" does not fit: a YYYY-MM-DD date from 1970-01-01 to 2149-06-06`);
  }
  return day;
}

/** YYYY-MM-DD of a day number. */
export function decodeDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
