import { enumValue, gtfsDate } from './gtfs-values.ts';
import { type BundleTables, checked, requiredValue, uniqueKeys } from './tables.ts';

/** The dates (YYYY-MM-DD) of each service_id. */
export type ServiceDates = ReadonlyMap<string, ReadonlySet<string>>;

const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
const DAY_MS = 86_400_000;
/** A fare bundle is replaced long before this; a longer range is a typo that would cost memory. */
const MAX_RANGE_DAYS = 20 * 366;

/** calendar.txt's weekly patterns with calendar_dates.txt's exceptions applied: holidays are data, not code. */
export function readServiceDates(tables: BundleTables): ServiceDates {
  const problems = tables.problems;
  const dates = new Map<string, Set<string>>();
  const calendar = tables.get('calendar.txt');
  uniqueKeys(calendar, ['service_id'], problems);
  for (const r of calendar.records) {
    const id = requiredValue(calendar, r, 'service_id', problems);
    const week = DAYS.map((day) => {
      const text = requiredValue(calendar, r, day, problems);
      return text === null ? null : checked(calendar, r, day, enumValue(text, [0, 1] as const), problems);
    });
    const startText = requiredValue(calendar, r, 'start_date', problems);
    const endText = requiredValue(calendar, r, 'end_date', problems);
    const start = startText === null ? null : checked(calendar, r, 'start_date', gtfsDate(startText), problems);
    const end = endText === null ? null : checked(calendar, r, 'end_date', gtfsDate(endText), problems);
    if (id === null || start === null || end === null || week.includes(null)) continue;
    const from = Date.parse(start);
    const to = Date.parse(end);
    if (to < from) {
      problems.add(calendar.file, r.line, `end_date ${endText} is before start_date ${startText}`);
      continue;
    }
    if ((to - from) / DAY_MS > MAX_RANGE_DAYS) {
      problems.add(calendar.file, r.line, `start_date ${startText} to end_date ${endText} is more than 20 years`);
      continue;
    }
    const set = dates.get(id) ?? new Set<string>();
    for (let t = from; t <= to; t += DAY_MS) {
      if (week[new Date(t).getUTCDay()] === 1) set.add(new Date(t).toISOString().slice(0, 10));
    }
    dates.set(id, set);
  }

  const exceptions = tables.get('calendar_dates.txt');
  uniqueKeys(exceptions, ['service_id', 'date'], problems);
  for (const r of exceptions.records) {
    const id = requiredValue(exceptions, r, 'service_id', problems);
    const dateText = requiredValue(exceptions, r, 'date', problems);
    const date = dateText === null ? null : checked(exceptions, r, 'date', gtfsDate(dateText), problems);
    const typeText = requiredValue(exceptions, r, 'exception_type', problems);
    // "1 - Service has been added for the specified date. 2 - Service has been removed for the specified date."
    const type = typeText === null ? null : checked(exceptions, r, 'exception_type', enumValue(typeText, [1, 2] as const), problems);
    if (id === null || date === null || type === null) continue;
    const set = dates.get(id) ?? new Set<string>();
    if (type === 1) set.add(date);
    else set.delete(date);
    dates.set(id, set);
  }
  return dates;
}
