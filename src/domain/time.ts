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
  return localDateFormat(timeZone).format(epochMs);
}

/** Minutes east of UTC of a time zone at an instant (Asia/Tehran: 210). */
export function utcOffsetMinutes(epochMs: number, timeZone: string): number {
  const part = offsetFormat(timeZone)
    .formatToParts(epochMs)
    .find((p) => p.type === 'timeZoneName')?.value;
  const m = /^GMT(?:([+-])(\d{1,2})(?::(\d{2}))?)?$/.exec(part ?? '');
  if (!m) throw new RangeError(`cannot read the UTC offset of time zone ${timeZone}: got "${part}"`);
  if (m[1] === undefined) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return m[1] === '-' ? -minutes : minutes;
}

/** "+03:30" for 210. */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
const offsetFormats = new Map<string, Intl.DateTimeFormat>();

function localDateFormat(timeZone: string): Intl.DateTimeFormat {
  let f = dateFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(timeZone, f);
  }
  return f;
}

function offsetFormat(timeZone: string): Intl.DateTimeFormat {
  let f = offsetFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormats.set(timeZone, f);
  }
  return f;
}
