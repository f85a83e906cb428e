import { BehaviorSubject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { GpsFix, PositionReading, PositionSource } from '../../src/ports/position-source.ts';
import { CurrentStop } from '../../src/stops/current-stop.ts';
import { StopIndex } from '../../src/stops/stop-index.ts';

const M = 1 / 111_195;
const index = new StopIndex([{ id: 'A', lat: 34.64, lon: 50.88 }, { id: 'B', lat: 34.64 + 100 * M, lon: 50.88 }]);

/** A position source driven by the test. */
class ScriptedSource implements PositionSource {
  readonly subject = new BehaviorSubject<PositionReading>({ status: 'no-fix', fix: null, clockErrorMs: null, source: 'test' });
  readonly readings$ = this.subject.asObservable();
  current(): PositionReading {
    return this.subject.value;
  }
  at(metresNorth: number | null, status: PositionReading['status'] = 'fix'): void {
    const fix: GpsFix | null = metresNorth === null ? null : { time: 0, lat: 34.64 + metresNorth * M, lon: 50.88, speedMps: 0, trackDeg: null, receivedAt: 0 };
    this.subject.next({ status, fix: status === 'fix' ? fix : null, clockErrorMs: 12, source: 'test' });
  }
  close(): Promise<void> {
    this.subject.complete();
    return Promise.resolve();
  }
}

describe('CurrentStop', () => {
  it('follows every fix, so the stop held between two stops is the one the bus came from', async () => {
    const source = new ScriptedSource();
    const current = new CurrentStop(source, () => index, { radiusMeters: 60, hysteresisMeters: 10 });
    current.start();
    expect(current.now().stop).toBeNull();
    source.at(0);
    source.at(45);
    source.at(52);
    expect(current.now()).toMatchObject({ stop: 'A', position: { lon: 50.88 }, reading: { clockErrorMs: 12 } });
    source.at(95);
    expect(current.now().stop).toBe('B');
    source.at(50);
    expect(current.now().stop).toBe('B');
    await current.close();
  });

  it('no stop and no position once the fix is stale, or the receiver gone', async () => {
    const source = new ScriptedSource();
    const current = new CurrentStop(source, () => index, { radiusMeters: 40, hysteresisMeters: 10 });
    current.start();
    source.at(0);
    expect(current.now().stop).toBe('A');
    source.at(0, 'stale');
    expect(current.now()).toMatchObject({ stop: null, position: null, reading: { status: 'stale' } });
    source.at(0);
    expect(current.now().stop).toBe('A');
    source.at(null, 'no-receiver');
    expect(current.now().stop).toBeNull();
    await current.close();
  });

  it('no stop while no bundle is in force', async () => {
    const source = new ScriptedSource();
    const current = new CurrentStop(source, () => null, { radiusMeters: 40, hysteresisMeters: 10 });
    source.at(0);
    expect(current.now()).toMatchObject({ stop: null, position: { lat: 34.64 } });
    await current.close();
  });
});
