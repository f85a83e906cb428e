import { BehaviorSubject, type Observable, distinctUntilChanged } from 'rxjs';
import type { Clock } from '../../src/domain/time.ts';
import type { GpsFix, PositionReading, PositionSource } from '../../src/ports/position-source.ts';
import { bearingDegrees, distanceMeters, type StopPoint } from '../../src/domain/geo.ts';
import { readingsEqual } from './reading.ts';

export interface SimulatedGpsOptions {
  /** The stops to drive along, in order (there and back); the first alone for a bus standing still. */
  readonly stops: readonly StopPoint[];
  readonly clock: Clock;
  /** Seconds standing at each stop. */
  readonly dwellSeconds?: number;
  /** Speed between stops. */
  readonly speedMps?: number;
  /** How often a new fix comes, like a receiver's 1 Hz. */
  readonly intervalMs?: number;
}

/**
 * A GPS receiver for `npm start`: the bus drives along the stops and back, standing at each for a while, a
 * fix a second. Where it is is a function of the monotonic clock, so two reads agree. Its time is the
 * system clock's: a simulated clock error of zero.
 */
export class SimulatedGps implements PositionSource {
  private readonly readings: BehaviorSubject<PositionReading>;
  private readonly timer: NodeJS.Timeout;
  private readonly startedAt: number;
  private readonly legs: { from: StopPoint; to: StopPoint; meters: number }[];
  private lastFix: GpsFix | null = null;
  readonly readings$: Observable<PositionReading>;

  constructor(private readonly options: SimulatedGpsOptions) {
    this.startedAt = options.clock.monotonic();
    const there = options.stops;
    const path = [...there, ...there.slice(0, -1).reverse().slice(0, -1)];
    this.legs = path.map((from, i) => {
      const to = path[(i + 1) % path.length] ?? from;
      return { from, to, meters: distanceMeters(from, to) };
    });
    this.readings = new BehaviorSubject(this.current());
    this.readings$ = this.readings.pipe(distinctUntilChanged(readingsEqual));
    this.timer = setInterval(() => this.readings.next(this.current()), options.intervalMs ?? 1000);
    this.timer.unref();
  }

  current(): PositionReading {
    const { clock } = this.options;
    const now = clock.monotonic();
    const at = this.where((now - this.startedAt) / 1000);
    if (at === null) return { status: 'no-fix', fix: null, clockErrorMs: null, source: 'simulated' };
    const interval = this.options.intervalMs ?? 1000;
    // One fix per interval, as a receiver gives: the same object until the next.
    const receivedAt = now - ((now - this.startedAt) % interval);
    if (this.lastFix?.receivedAt !== receivedAt) this.lastFix = { time: clock.now() - (now - receivedAt), ...at, receivedAt };
    return { status: 'fix', fix: this.lastFix, clockErrorMs: 0, source: 'simulated' };
  }

  close(): Promise<void> {
    clearInterval(this.timer);
    this.readings.complete();
    return Promise.resolve();
  }

  /** Position `seconds` after the start: dwell at a stop, then drive to the next at constant speed. */
  private where(seconds: number): Pick<GpsFix, 'lat' | 'lon' | 'speedMps' | 'trackDeg'> | null {
    const first = this.options.stops[0];
    if (first === undefined) return null;
    const dwell = this.options.dwellSeconds ?? 20;
    const speed = this.options.speedMps ?? 8;
    const cycle = this.legs.reduce((sum, leg) => sum + dwell + leg.meters / speed, 0);
    if (this.legs.length < 2 || cycle === 0) return { lat: first.lat, lon: first.lon, speedMps: 0, trackDeg: null };
    let t = seconds % cycle;
    for (const leg of this.legs) {
      if (t < dwell) return { lat: leg.from.lat, lon: leg.from.lon, speedMps: 0, trackDeg: null };
      t -= dwell;
      const driving = leg.meters / speed;
      if (t < driving) {
        const f = t / driving;
        return {
          lat: leg.from.lat + (leg.to.lat - leg.from.lat) * f,
          lon: leg.from.lon + (leg.to.lon - leg.from.lon) * f,
          speedMps: speed,
          trackDeg: bearingDegrees(leg.from, leg.to),
        };
      }
      t -= driving;
    }
    return { lat: first.lat, lon: first.lon, speedMps: 0, trackDeg: null };
  }
}
