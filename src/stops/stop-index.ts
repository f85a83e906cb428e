/** A place a bus stops, from the fare bundle's stops.txt. */
export interface StopPoint {
  readonly id: string;
  /** WGS 84 decimal degrees. */
  readonly lat: number;
  readonly lon: number;
}

export interface NearStop {
  readonly stop: StopPoint;
  readonly meters: number;
}

const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

/** Great-circle distance in metres (haversine: exact enough at a stop's scale, stable at zero). */
export function distanceMeters(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
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
  within(at: { lat: number; lon: number }, radius: number): NearStop[] {
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
