import { GPS, type NMEA } from 'gps';

/** Why a line changed nothing: a reader of a receiver's log wants to know which lines were thrown away. */
export type RejectReason = 'not-nmea' | 'bad-checksum' | 'malformed' | 'unsupported';

export type SentenceResult =
  | { readonly kind: 'accepted'; readonly type: string }
  | { readonly kind: 'rejected'; readonly reason: RejectReason };

/** The receiver's state after a sentence: UTC time as soon as it is known, position only with a valid fix. */
export interface TrackedFix {
  /** UTC epoch ms of the last sentence that gave a time with a known date; null before the first date. */
  readonly time: number | null;
  /** Null when the receiver reports no fix (void RMC or GLL, GGA quality 0, GNS mode N) or none yet. */
  readonly position: { readonly lat: number; readonly lon: number } | null;
  /** m/s, from RMC or VTG; null when unknown. */
  readonly speedMps: number | null;
  /** Degrees true, from RMC or VTG. */
  readonly trackDeg: number | null;
}

const DAY_MS = 86_400_000;
const KMH_TO_MPS = 1 / 3.6;

/**
 * Folds NMEA 0183 sentences into a fix, the way gpsd does for the sentences a bus needs: RMC and ZDA carry
 * the date, GGA, GLL and GNS only the time of day (placed on the last known date), RMC, GGA, GLL and GNS
 * the position. A line with a bad checksum, or that the `gps` parser refuses, changes nothing.
 *
 * Pure: no clock, no I/O. The `gps` package parses each sentence (GPS.Parse checks the checksum and the
 * field count); its own state object is not used, because it dates time-only sentences with the system
 * clock's today (`new Date()`), which is exactly the clock we are checking.
 */
export class NmeaFixTracker {
  private dayStart: number | null = null;
  private fixState: TrackedFix = { time: null, position: null, speedMps: null, trackDeg: null };

  get fix(): TrackedFix {
    return this.fixState;
  }

  /** Feeds one line (without its line ending). */
  accept(line: string): SentenceResult {
    const trimmed = line.trim();
    if (!trimmed.startsWith('$')) return { kind: 'rejected', reason: 'not-nmea' };
    let parsed: NMEA | false;
    try {
      parsed = GPS.Parse(trimmed);
    } catch {
      // The parser throws on a wrong field count: a sentence cut short or run together with the next.
      return { kind: 'rejected', reason: 'malformed' };
    }
    if (parsed === false) return { kind: 'rejected', reason: hasChecksum(trimmed) ? 'unsupported' : 'malformed' };
    if (!parsed.valid) return { kind: 'rejected', reason: 'bad-checksum' };
    this.apply(parsed);
    return { kind: 'accepted', type: parsed.type };
  }

  private apply(s: NMEA): void {
    switch (s.type) {
      case 'RMC': {
        const time = this.datedTime(s.raw, 9);
        const at = s.status === 'active' ? position(s.lat, s.lon) : null;
        if (at === null) {
          this.update({ time: time ?? this.fixState.time, position: null });
          return;
        }
        this.update({
          time: time ?? this.fixState.time,
          position: at,
          speedMps: s.speed === null ? null : s.speed * KMH_TO_MPS,
          trackDeg: s.track,
        });
        return;
      }
      case 'ZDA': {
        const time = this.zdaTime(s.raw);
        if (time !== null) this.update({ time });
        return;
      }
      case 'GGA': {
        const time = this.timeOfDay(field(s.raw, 1));
        this.update({ time: time ?? this.fixState.time, position: s.quality === null ? null : position(s.lat, s.lon) });
        return;
      }
      case 'GLL': {
        const time = this.timeOfDay(field(s.raw, 5));
        this.update({ time: time ?? this.fixState.time, position: s.status === 'active' ? position(s.lat, s.lon) : null });
        return;
      }
      case 'GNS': {
        const time = this.timeOfDay(field(s.raw, 1));
        // Mode is one letter per constellation; all "N" is no fix.
        this.update({ time: time ?? this.fixState.time, position: /[^N]/.test(s.mode) ? position(s.lat, s.lon) : null });
        return;
      }
      case 'VTG':
        if (s.speed !== null || s.track !== null) this.update({ speedMps: s.speed === null ? null : s.speed * KMH_TO_MPS, trackDeg: s.track });
        return;
      default:
        // Satellites, DOP, text: nothing a fare needs.
        return;
    }
  }

  private update(change: Partial<TrackedFix>): void {
    this.fixState = { ...this.fixState, ...change };
  }

  /** RMC: hhmmss.ss in field 1, ddmmyy in `dateField`; sets the day for time-only sentences. */
  private datedTime(raw: string, dateField: number): number | null {
    const date = /^(\d\d)(\d\d)(\d\d)$/.exec(field(raw, dateField));
    const tod = timeOfDayMs(field(raw, 1));
    if (!date || tod === null) return null;
    const yy = Number(date[3]);
    // NMEA's two-digit year: gpsd pivots at 1980 (GPS epoch); receivers of a bus are all of this century.
    const day = Date.UTC(yy < 80 ? 2000 + yy : 1900 + yy, Number(date[2]) - 1, Number(date[1]));
    if (!validDate(day, Number(date[1]), Number(date[2]))) return null;
    this.dayStart = day;
    return day + tod;
  }

  /** ZDA: hhmmss.ss, dd, mm, yyyy. */
  private zdaTime(raw: string): number | null {
    const tod = timeOfDayMs(field(raw, 1));
    const [d, m, y] = [field(raw, 2), field(raw, 3), field(raw, 4)].map(Number) as [number, number, number];
    if (tod === null || !Number.isInteger(d) || !Number.isInteger(m) || !/^\d{4}$/.test(field(raw, 4))) return null;
    const day = Date.UTC(y, m - 1, d);
    if (!validDate(day, d, m)) return null;
    this.dayStart = day;
    return day + tod;
  }

  /** A time-only sentence on the last known date; across midnight before the next RMC, the next day. */
  private timeOfDay(text: string): number | null {
    const tod = timeOfDayMs(text);
    if (tod === null || this.dayStart === null) return null;
    const last = this.fixState.time;
    let time = this.dayStart + tod;
    if (last !== null && last - time > DAY_MS / 2) time += DAY_MS;
    return time;
  }
}

/** hhmmss[.sss] → ms into the day; null when empty or out of range. */
function timeOfDayMs(text: string): number | null {
  const m = /^(\d\d)(\d\d)(\d\d(?:\.\d+)?)$/.exec(text);
  if (!m) return null;
  const [h, min, sec] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // 60 allows a leap second as receivers print it.
  if (h > 23 || min > 59 || sec >= 61) return null;
  return Math.round(((h * 60 + min) * 60 + sec) * 1000);
}

function field(raw: string, index: number): string {
  const body = raw.slice(0, raw.indexOf('*') === -1 ? undefined : raw.indexOf('*'));
  return body.split(',')[index] ?? '';
}

function validDate(day: number, d: number, m: number): boolean {
  const date = new Date(day);
  return Number.isFinite(day) && date.getUTCDate() === d && date.getUTCMonth() === m - 1;
}

/** A position only when both coordinates are there and on the Earth. */
function position(lat: number | null, lon: number | null): { lat: number; lon: number } | null {
  if (lat === null || lon === null || !Number.isFinite(lat) || !Number.isFinite(lon)) return null;
  return Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? { lat, lon } : null;
}

function hasChecksum(line: string): boolean {
  return /\*[0-9A-Fa-f]{2}$/.test(line);
}
