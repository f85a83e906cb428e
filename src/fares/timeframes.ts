import { localTime } from './gtfs-values.ts';
import type { LocalMoment } from './local-time.ts';
import type { ServiceDates } from './read-calendar.ts';
import { type BundleTables, checked, requiredValue } from './tables.ts';

interface Interval {
  readonly line: number;
  /** Seconds after local midnight, start included, end excluded. */
  readonly start: number;
  readonly end: number;
  readonly dates: ReadonlySet<string>;
  readonly serviceId: string;
}

const DAY = 24 * 3600;

/** The timeframe groups of timeframes.txt, compiled to answer "is this moment in group G" with a few comparisons. */
export class Timeframes {
  private constructor(private readonly groups: ReadonlyMap<string, readonly Interval[]>) {}

  /** Reads and checks timeframes.txt against the service dates. */
  static read(tables: BundleTables, services: ServiceDates): Timeframes {
    const problems = tables.problems;
    const table = tables.get('timeframes.txt');
    const groups = new Map<string, Interval[]>();
    for (const r of table.records) {
      const group = requiredValue(table, r, 'timeframe_group_id', problems);
      const serviceId = requiredValue(table, r, 'service_id', problems);
      const startText = r.get('start_time');
      const endText = r.get('end_time');
      // start_time and end_time: each "Required if the other is defined, Forbidden otherwise"; empty start is
      // 00:00:00 and empty end is 24:00:00.
      if ((startText === '') !== (endText === '')) {
        problems.add(table.file, r.line, `${startText === '' ? 'start_time' : 'end_time'} is empty but the other is set: give both or neither`);
        continue;
      }
      const start = startText === '' ? 0 : checked(table, r, 'start_time', localTime(startText), problems);
      const end = endText === '' ? DAY : checked(table, r, 'end_time', localTime(endText), problems);
      const dates = serviceId === null ? undefined : services.get(serviceId);
      if (serviceId !== null && dates === undefined) {
        problems.add(table.file, r.line, `service_id ${serviceId} is in neither calendar.txt nor calendar_dates.txt`);
      }
      if (start !== null && end !== null && start >= end) {
        problems.add(
          table.file,
          r.line,
          `start_time ${startText} is not before end_time ${endText}: a timeframe across midnight is two rows, one ending 24:00:00 and one starting 00:00:00`,
        );
        continue;
      }
      if (group === null || serviceId === null || dates === undefined || start === null || end === null) continue;
      const list = groups.get(group) ?? [];
      list.push({ line: r.line, start, end, dates, serviceId });
      groups.set(group, list);
    }

    // "There must not be overlapping time intervals for the same timeframe_group_id and service_id values."
    for (const [group, intervals] of groups) {
      const sorted = [...intervals].sort((a, b) => a.serviceId.localeCompare(b.serviceId) || a.start - b.start);
      for (let i = 1; i < sorted.length; i++) {
        const prev = sorted[i - 1];
        const cur = sorted[i];
        if (prev && cur && prev.serviceId === cur.serviceId && cur.start < prev.end) {
          problems.add(table.file, Math.max(prev.line, cur.line), `overlaps line ${Math.min(prev.line, cur.line)} (timeframe ${group}, service ${cur.serviceId})`);
        }
      }
    }
    return new Timeframes(groups);
  }

  has(group: string): boolean {
    return this.groups.has(group);
  }

  get size(): number {
    return this.groups.size;
  }

  /**
   * Whether a moment falls in a group: "at least one record ... where the set of days identified by the
   * record's service_id contains the 'current day' ... and the 'time-of-day' ... is greater than or equal to
   * start_time and less than end_time" (fare_leg_rules.from_timeframe_group_id).
   */
  contains(group: string, at: LocalMoment): boolean {
    const intervals = this.groups.get(group);
    if (!intervals) return false;
    for (const i of intervals) if (at.secondOfDay >= i.start && at.secondOfDay < i.end && i.dates.has(at.date)) return true;
    return false;
  }
}
