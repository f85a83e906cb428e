import { describe, expect, it } from 'vitest';
import { SimulatedGps } from '../../../device/gps/simulated-gps.ts';
import type { Clock } from '../../../src/domain/time.ts';
import { StopIndex } from '../../../src/stops/stop-index.ts';
import { matchStop } from '../../../src/stops/stop-matcher.ts';

const M = 1 / 111_195;
const stops = [
  { id: 'A', lat: 34.64, lon: 50.88 },
  { id: 'B', lat: 34.64 + 400 * M, lon: 50.88 },
  { id: 'C', lat: 34.64 + 800 * M, lon: 50.88 },
];

class TestClock implements Clock {
  mono = 1000;
  now(): number {
    return 1_750_000_000_000 + this.mono;
  }
  monotonic(): number {
    return this.mono;
  }
}

describe('SimulatedGps', () => {
  it('stands at each stop, drives to the next and back; the stop matcher names each in turn', async () => {
    const clock = new TestClock();
    const gps = new SimulatedGps({ stops, clock, dwellSeconds: 10, speedMps: 10 });
    const index = new StopIndex(stops);
    const options = { radiusMeters: 40, hysteresisMeters: 10 };
    const stopAt = (seconds: number): string | null => {
      clock.mono = 1000 + seconds * 1000;
      const r = gps.current();
      return matchStop(index, null, r.fix, options);
    };
    // A 0–10 s, drive 40 s, B 50–60 s, drive, C 100–110 s, back to B 150–160 s, then A again at 200 s.
    expect([stopAt(5), stopAt(30), stopAt(55), stopAt(105), stopAt(155), stopAt(205)]).toEqual(['A', null, 'B', 'C', 'B', 'A']);
    clock.mono = 1000 + 30_000;
    expect(gps.current()).toMatchObject({ status: 'fix', clockErrorMs: 0, source: 'simulated', fix: { speedMps: 10, trackDeg: 0 } });
    await gps.close();
  });

  it('gives the same fix object within one second, and a fixed position with one stop', async () => {
    const clock = new TestClock();
    const gps = new SimulatedGps({ stops: stops.slice(0, 1), clock });
    const a = gps.current().fix;
    clock.mono += 300;
    expect(gps.current().fix).toBe(a);
    clock.mono += 5000;
    expect(gps.current().fix).toMatchObject({ lat: 34.64, lon: 50.88, speedMps: 0 });
    await gps.close();
  });

  it('no stops, no fix', async () => {
    const gps = new SimulatedGps({ stops: [], clock: new TestClock() });
    expect(gps.current()).toMatchObject({ status: 'no-fix', fix: null });
    await gps.close();
  });
});
