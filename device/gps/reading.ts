import type { PositionReading } from '../../src/ports/position-source.ts';

/** Same status, same fix (by identity: a new sentence makes a new fix) and same clock error. */
export function readingsEqual(a: PositionReading, b: PositionReading): boolean {
  return a.status === b.status && a.fix === b.fix && a.clockErrorMs === b.clockErrorMs && a.source === b.source;
}
