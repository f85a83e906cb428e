import { localDate, utcOffsetMinutes } from '../domain/time.ts';

/** The local date and wall-clock time of day of an instant, as GTFS timeframes read them. */
export interface LocalMoment {
  /** "Current day", YYYY-MM-DD. */
  readonly date: string;
  /** Seconds since local midnight of that day. */
  readonly secondOfDay: number;
}

const BUCKET_MS = 15 * 60_000;
const DAY_MS = 86_400_000;

interface Bucket {
  readonly date: string;
  readonly offsetMs: number;
}

/** Quarter hours remembered: about 200 days, a few hundred kilobytes at most. */
const MAX_BUCKETS = 20_000;

/**
 * Local dates and times of day in one zone. A zone's offset and local date change only on a quarter hour
 * (see src/domain/time.ts), so each 15-minute bucket is asked of Intl once and remembered: a tap looks at
 * its own time and at the card's last trip, which for each card falls in another bucket.
 */
export class ZoneClock {
  private readonly buckets = new Map<number, Bucket>();

  constructor(readonly timeZone: string) {}

  at(epochMs: number): LocalMoment {
    const facts = this.facts(epochMs);
    const secondOfDay = Math.floor(((((epochMs + facts.offsetMs) % DAY_MS) + DAY_MS) % DAY_MS) / 1000);
    return { date: facts.date, secondOfDay };
  }

  private facts(epochMs: number): Bucket {
    const bucket = Math.floor(epochMs / BUCKET_MS);
    let facts = this.buckets.get(bucket);
    if (facts === undefined) {
      if (this.buckets.size >= MAX_BUCKETS) this.buckets.clear();
      facts = { date: localDate(epochMs, this.timeZone), offsetMs: utcOffsetMinutes(epochMs, this.timeZone) * 60_000 };
      this.buckets.set(bucket, facts);
    }
    return facts;
  }
}

/** Whether Intl knows the IANA time zone. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * An instant from text: "2025-04-21" (local midnight in the zone), "2025-04-21T07:30[:00]" (local wall time),
 * or either with "Z" or an offset ("2025-04-21T00:00:00+03:30"). Null when it is none of these.
 */
export function parseInstant(text: string, timeZone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  const ms = Number((m[7] ?? '0').padEnd(3, '0'));
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const check = new Date(asUtc);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  const zone = m[8];
  if (zone === 'Z') return asUtc;
  if (zone !== undefined) {
    const sign = zone.startsWith('-') ? -1 : 1;
    return asUtc - sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  }
  // Local wall time: the offset at the guess, then once more at the corrected instant (a change in between).
  const guess = asUtc - utcOffsetMinutes(asUtc, timeZone) * 60_000;
  return asUtc - utcOffsetMinutes(guess, timeZone) * 60_000;
}
