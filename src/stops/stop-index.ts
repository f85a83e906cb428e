import { distanceMeters, type GeoPoint, type StopPoint } from '../domain/geo.ts';

export interface NearStop {
  readonly stop: StopPoint;
  readonly meters: number;
}

/**
 * The stops of a bundle, for finding the nearest. A city has a few thousand stops and a fix comes once a
 * second: a scan behind a cheap latitude band is microseconds, and needs no spatial index to keep right.
 */
export class StopIndex {
  private readonly byId: ReadonlyMap<string, StopPoint>;

  constructor(readonly stops: readonly StopPoint[]) {
    this.byId = new Map(stops.map((s) => [s.id, s]));
  }

  get(id: string): StopPoint | undefined {
    return this.byId.get(id);
  }

  /** Stops within `radius` metres of `at`, nearest first. */
  within(at: GeoPoint, radius: number): NearStop[] {
    // One degree of latitude is at least 110.5 km anywhere: stops outside this band are too far.
    const band = radius / 110_500;
    const out: NearStop[] = [];
    for (const stop of this.stops) {
      if (Math.abs(stop.lat - at.lat) > band) continue;
      const meters = distanceMeters(at, stop);
      if (meters <= radius) out.push({ stop, meters });
    }
    return out.sort((a, b) => a.meters - b.meters || (a.stop.id < b.stop.id ? -1 : 1));
  }
}
