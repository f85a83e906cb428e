import { SerialGpsSource } from '../../device/gps/serial-gps-source.ts';
import { tripTextProblem } from '../../device/qom-card/trip-text.ts';
import { SimulatedGps } from '../../device/gps/simulated-gps.ts';
import type { Config } from '../config/schema.ts';
import type { Clock } from '../domain/time.ts';
import type { FareBundle } from '../fares/fare-bundle.ts';
import type { Logger } from '../log/logger.ts';
import type { PositionSource } from '../ports/position-source.ts';
import { CurrentStop, type WhereNow } from '../stops/current-stop.ts';
import type { StopIndex } from '../stops/stop-index.ts';

/** The fare schedule (ScheduledFarePolicy), or a holder that sync can swap (its `schedule`). */
type FareSchedule = { policyAt(now: number): { readonly bundle: FareBundle } | null };
export type FaresWithStops = FareSchedule | { readonly schedule: FareSchedule };

/** The stops of the bundle in force at `now`: GPS matches among them (a new bundle brings new stops). */
export function stopsInForce(fares: FaresWithStops, now: number): StopIndex | null {
  const schedule = 'schedule' in fares ? fares.schedule : fares;
  return schedule.policyAt(now)?.bundle.stops ?? null;
}

export interface GpsOptions {
  readonly config: Config;
  readonly simulate: boolean;
  readonly fares: FaresWithStops;
  readonly clock: Clock;
  readonly log: Logger;
}

/**
 * The GPS for the daemon: the configured receiver; else, in simulation, a bus driving along (or standing at)
 * the bundle's stops; else none, and every tap's stop is the config's device.stop.
 */
export function createGps(options: GpsOptions): CurrentStop | null {
  const { config, clock, log, fares } = options;
  const gps = config.gps;
  let source: PositionSource | null = null;
  if (gps.port !== null) {
    source = new SerialGpsSource({
      path: gps.port,
      baudRate: gps.baudRate,
      staleAfterMs: gps.staleAfterSeconds * 1000,
      reconnectMs: gps.reconnectSeconds * 1000,
      clock,
      log: log.child('gps'),
    });
  } else if (options.simulate && gps.simulate !== 'off') {
    const stops = stopsInForce(fares, clock.now())?.stops ?? [];
    source = new SimulatedGps({ stops: gps.simulate === 'fixed' ? stops.slice(0, 1) : stops, clock });
  }
  if (source === null) return null;
  const current = new CurrentStop(source, () => stopsInForce(fares, clock.now()), {
    radiusMeters: gps.stopRadiusMeters,
    hysteresisMeters: gps.stopHysteresisMeters,
  });
  current.start();
  return current;
}

/** The GPS part of `validator status` (and of the heartbeat, with sync). */
export interface GpsStatus {
  readonly source: string;
  readonly status: string;
  readonly stop: string | null;
  readonly fix: { readonly time: string; readonly lat: number; readonly lon: number; readonly speedMps: number | null } | null;
  /** GPS time minus the system clock, ms; null before the first time from the receiver. */
  readonly clockErrorMs: number | null;
}

/**
 * One line for status and the heartbeat: "fix 34.6417700 50.8789800 at 2025-… · stop S-101 · system clock 0.4 s
 * behind GPS · /dev/serial/by-id/…"; "none" without a receiver.
 */
export function gpsSummary(g: GpsStatus | null | undefined): string {
  if (!g) return 'none (stop from config device.stop)';
  const where = g.fix === null ? g.status : `${g.status} ${g.fix.lat.toFixed(7)} ${g.fix.lon.toFixed(7)} at ${g.fix.time}`;
  // clockErrorMs is GPS time minus the system clock: positive, the system clock is behind.
  const clock =
    g.clockErrorMs === null
      ? 'clock not checked yet'
      : `system clock ${(Math.abs(g.clockErrorMs) / 1000).toFixed(1)} s ${g.clockErrorMs >= 0 ? 'behind' : 'ahead of'} GPS`;
  return `${where} · stop ${g.stop ?? '-'} · ${clock} · ${g.source}`;
}

export function gpsStatus(where: WhereNow): GpsStatus {
  const { reading } = where;
  const fix = reading.fix;
  return {
    source: reading.source,
    status: reading.status,
    stop: where.stop,
    fix: fix === null ? null : { time: new Date(fix.time).toISOString(), lat: fix.lat, lon: fix.lon, speedMps: fix.speedMps },
    clockErrorMs: reading.clockErrorMs === null ? null : Math.round(reading.clockErrorMs),
  };
}

/**
 * The stop as the tap may use it: every debit writes it onto the card beside the route, vehicle and device
 * (28 characters together, a small alphabet). A bundle's stop id that cannot go there is no stop, logged once,
 * rather than a card write that fails at every tap near that stop.
 */
export function cardSafeStop(config: Config, log: Logger): (stop: string | null) => string | null {
  const warned = new Set<string>();
  const { device } = config;
  return (stop) => {
    if (stop === null) return null;
    const problem = tripTextProblem({ route: device.route ?? '', stop, vehicle: device.vehicle, device: device.id });
    if (problem === null) return stop;
    if (!warned.has(stop)) {
      warned.add(stop);
      log.warn(`stop ${stop} cannot be written onto cards (${problem}); taps there go without a stop. Shorten its stop_id in the fare bundle`);
    }
    return null;
  };
}
