import { describe, expect, it } from 'vitest';
import { distanceMeters } from '../../src/domain/geo.ts';
import { StopIndex } from '../../src/stops/stop-index.ts';
import { matchStop } from '../../src/stops/stop-matcher.ts';

// Two stops 100 m apart on a meridian in Qom; 1 m of latitude is 1 / 111_195 degrees.
const M = 1 / 111_195;
const A = { id: 'A', lat: 34.64, lon: 50.88 };
const B = { id: 'B', lat: 34.64 + 100 * M, lon: 50.88 };
const index = new StopIndex([A, B, { id: 'far', lat: 35.7, lon: 51.4 }]);
const options = { radiusMeters: 40, hysteresisMeters: 10 };
const north = (meters: number) => ({ lat: A.lat + meters * M, lon: A.lon });

describe('matchStop', () => {
  it('measures metres on the ground', () => {
    expect(distanceMeters(A, B)).toBeCloseTo(100, 0);
    expect(distanceMeters(A, A)).toBe(0);
  });

  it('is the nearest stop within the radius, else no stop', () => {
    expect(matchStop(index, null, north(5), options)).toBe('A');
    expect(matchStop(index, null, north(95), options)).toBe('B');
    expect(matchStop(index, null, north(50), options)).toBeNull();
    expect(matchStop(index, null, north(-41), options)).toBeNull();
  });

  it('is no stop without a position, whatever stop came before', () => {
    expect(matchStop(index, 'A', null, options)).toBeNull();
  });

  it('keeps the stop until the bus is radius + hysteresis away', () => {
    expect(matchStop(index, 'A', north(-45), options)).toBe('A');
    expect(matchStop(index, 'A', north(-51), options)).toBeNull();
  });

  it('a bus standing between two stops, its fix wandering, does not flicker', () => {
    // Stops 100 m apart with a 60 m radius: the middle is within both.
    const wide = { radiusMeters: 60, hysteresisMeters: 10 };
    let stop: string | null = null;
    const seen: (string | null)[] = [];
    for (const wander of [48, 52, 46, 54, 50, 53, 47, 51, 49]) {
      stop = matchStop(index, stop, north(wander), wide);
      seen.push(stop);
    }
    expect(new Set(seen)).toEqual(new Set(['A']));
    // It changes once the other stop is clearly nearer.
    expect(matchStop(index, 'A', north(56), wide)).toBe('B');
  });

  it('a stop no longer in the bundle is dropped for the nearest', () => {
    expect(matchStop(index, 'gone', north(3), options)).toBe('A');
  });

  it('finds stops among many quickly (a city of 5,000 stops)', () => {
    const many = new StopIndex(Array.from({ length: 5000 }, (_, i) => ({ id: `S${i}`, lat: 34.5 + (i % 100) * 0.003, lon: 50.8 + Math.floor(i / 100) * 0.003 })));
    const started = performance.now();
    for (let i = 0; i < 1000; i++) matchStop(many, null, { lat: 34.5 + i * 1e-5, lon: 50.8 }, options);
    expect((performance.now() - started) / 1000).toBeLessThan(1);
    expect(matchStop(many, null, { lat: 34.5, lon: 50.8 }, options)).toBe('S0');
  });
});
