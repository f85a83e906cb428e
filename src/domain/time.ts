/** Time is injected: the domain never reads the system clock itself. */
export interface Clock {
  /** Wall time, epoch milliseconds (UTC). */
  now(): number;
  /** Monotonic milliseconds, for budgets and timeouts; unaffected by clock steps. */
  monotonic(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
};

/** A point on the monotonic clock by which a piece of work must be done. */
export class Deadline {
  constructor(
    private readonly clock: Clock,
    readonly at: number,
  ) {}

  static in(clock: Clock, ms: number): Deadline {
    return new Deadline(clock, clock.monotonic() + ms);
  }

  /** Milliseconds left, never negative. */
  remaining(): number {
    return Math.max(0, this.at - this.clock.monotonic());
  }

  expired(): boolean {
    return this.remaining() === 0;
  }
}

/** The calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(epochMs: number, timeZone: string): string {
  return zoneFacts(epochMs, timeZone).date;
}

/** Minutes east of UTC of a time zone at an instant (Asia/Tehran: 210). */
export function utcOffsetMinutes(epochMs: number, timeZone: string): number {
  return zoneFacts(epochMs, timeZone).offset;
}

/** "+03:30" for 210. */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/**
 * Every time zone's offset changes, and so its local midnight falls, on a quarter hour: within one
 * 15-minute bucket of UTC the offset and the local date are fixed. Asking Intl once per bucket instead
 * of once per tap takes microseconds off the tap path.
 */
const BUCKET_MS = 15 * 60_000;

interface ZoneFacts {
  readonly bucket: number;
  readonly date: string;
  readonly offset: number;
}

const zones = new Map<string, { readonly dates: Intl.DateTimeFormat; readonly offsets: Intl.DateTimeFormat; facts: ZoneFacts | null }>();

function zoneFacts(epochMs: number, timeZone: string): ZoneFacts {
  let zone = zones.get(timeZone);
  if (!zone) {
    zone = {
      dates: new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }),
      offsets: new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }),
      facts: null,
    };
    zones.set(timeZone, zone);
  }
  const bucket = Math.floor(epochMs / BUCKET_MS);
  if (zone.facts?.bucket !== bucket) {
    zone.facts = { bucket, date: zone.dates.format(epochMs), offset: readOffset(zone.offsets, epochMs, timeZone) };
  }
  return zone.facts;
}

function readOffset(format: Intl.DateTimeFormat, epochMs: number, timeZone: string): number {
  const part = format.formatToParts(epochMs).find((p) => p.type === 'timeZoneName')?.value;
  const m = /^GMT(?:([+-])(\d{1,2})(?::(\d{2}))?)?$/.exec(part ?? '');
  if (!m) throw new RangeError(`cannot read the UTC offset of time zone ${timeZone}: got "${part}"`);
  if (m[1] === undefined) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return m[1] === '-' ? -minutes : minutes;
}
