import { parseInstant } from './local-time.ts';
import { type BundleProblem, Problems } from './problems.ts';

/** One boarding of a rider, as `validator fares quote` reads it from a line of JSON. */
export interface Ride {
  /** Epoch milliseconds. */
  readonly time: number;
  readonly route: string | null;
  readonly stop: string | null;
  /** The bus; each ride is on a bus of its own unless given (then the repeat window applies). */
  readonly vehicle: string | null;
}

const KEYS = ['time', 'route', 'stop', 'vehicle'];

/**
 * Parses JSON lines `{"time": ..., "route": "12", "stop": "S-1"}`. time is an ISO time (without an offset:
 * local time in `timeZone`) or epoch milliseconds; route and stop may be null or left out; vehicle is optional.
 * Blank lines are skipped. Every bad line is reported.
 */
export function parseRides(file: string, text: string, timeZone: string): { rides: Ride[]; problems: readonly BundleProblem[] } {
  const problems = new Problems();
  const rides: Ride[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      problems.add(file, line, `not JSON: ${(e as Error).message}`);
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.add(file, line, 'not a JSON object {time, route, stop}');
      return;
    }
    const o = value as Record<string, unknown>;
    for (const key of Object.keys(o)) if (!KEYS.includes(key)) problems.add(file, line, `unknown field "${key}" (known: ${KEYS.join(', ')})`);
    const time = typeof o['time'] === 'number' && Number.isSafeInteger(o['time']) ? o['time'] : typeof o['time'] === 'string' ? parseInstant(o['time'], timeZone) : null;
    if (time === null) problems.add(file, line, 'time must be an ISO time ("2025-04-21T07:30:00", local in the bundle\'s zone, or with an offset) or epoch milliseconds');
    const text = (key: string): string | null | undefined => {
      const v = o[key];
      if (v === undefined || v === null) return null;
      if (typeof v === 'string' && v !== '') return v;
      problems.add(file, line, `${key} must be a non-empty string or null`);
      return undefined;
    };
    const [route, stop, vehicle] = [text('route'), text('stop'), text('vehicle')];
    if (time === null || route === undefined || stop === undefined || vehicle === undefined) return;
    rides.push({ time, route, stop, vehicle });
  });
  if (rides.length === 0 && problems.count === 0) problems.add(file, 0, 'no rides: one JSON object a line');
  return { rides, problems: problems.sorted() };
}
