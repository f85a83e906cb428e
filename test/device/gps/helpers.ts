import { readFileSync } from 'node:fs';
import { firstValueFrom, filter, type Observable } from 'rxjs';
import { systemClock } from '../../../src/domain/time.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import type { PositionReading, PositionStatus } from '../../../src/ports/position-source.ts';
import { SerialGpsSource, type SerialGpsOptions } from '../../../device/gps/serial-gps-source.ts';

/** gpsd's recordings, copied from ../shared/data/gpsd-nmea so that a clone alone can run the tests. */
export const RECORDINGS = ['bu353s4.log', 'mt3339.log', 'quectel-l76k-nmea.log', 'nmea-fuzzy-cases.log'] as const;

export function fixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/gpsd-nmea/${name}`, import.meta.url), 'latin1');
}

/** A serial GPS source on `path` with short timeouts for tests. */
export function testSource(path: string, options: Partial<SerialGpsOptions> = {}): SerialGpsSource {
  return new SerialGpsSource({ path, baudRate: 9600, staleAfterMs: 2000, reconnectMs: 50, clock: systemClock, log: silentLogger, ...options });
}

/** The first reading with this status, or a rejection after `ms`. */
export function readingWith(readings$: Observable<PositionReading>, status: PositionStatus, ms = 5000): Promise<PositionReading> {
  return Promise.race([
    firstValueFrom(readings$.pipe(filter((r) => r.status === status))),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no "${status}" reading within ${ms} ms`)), ms).unref()),
  ]);
}
