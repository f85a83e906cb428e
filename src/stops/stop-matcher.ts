import { distanceMeters, type GeoPoint } from '../domain/geo.ts';
import type { StopIndex } from './stop-index.ts';

export interface StopMatchOptions {
  /** A stop is the current one when the bus is this close (config gps.stopRadiusMeters, 40 m). */
  readonly radiusMeters: number;
  /**
   * Hysteresis: the current stop is kept until the bus is `radius + hysteresis` away, and another stop
   * takes over only when it is nearer by more than this. A bus standing between two stops, its fix
   * wandering a few metres, keeps one stop.
   */
  readonly hysteresisMeters: number;
}

/**
 * The current stop after a new position, given the one before. Pure: the caller keeps `previous`.
 * No position (no fix, or a stale one) is no stop.
 */
export function matchStop(
  index: StopIndex,
  previous: string | null,
  at: GeoPoint | null,
  options: StopMatchOptions,
): string | null {
  if (at === null) return null;
  const nearest = index.within(at, options.radiusMeters)[0] ?? null;
  const kept = previous === null ? undefined : index.get(previous);
  if (kept !== undefined) {
    const keptMeters = distanceMeters(at, kept);
    if (keptMeters <= options.radiusMeters + options.hysteresisMeters) {
      if (nearest === null || nearest.stop.id === kept.id) return kept.id;
      return nearest.meters + options.hysteresisMeters < keptMeters ? nearest.stop.id : kept.id;
    }
  }
  return nearest?.stop.id ?? null;
}
