import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFareBundleDir } from '../../src/fares/read-bundle-dir.ts';
import { matchStop } from '../../src/stops/stop-matcher.ts';
import { bundle, problems } from '../fares/support.ts';

const SAMPLE = join(import.meta.dirname, '../../fares/qom-1404');

describe('stops of a fare bundle', () => {
  it('the sample bundle\'s stops are indexed for GPS, and one is found from a position beside it', () => {
    const result = loadFareBundleDir(SAMPLE);
    if (!result.ok) return expect.fail(JSON.stringify(result.problems));
    expect(result.bundle.stops.stops.map((s) => s.id)).toEqual(['S-101', 'S-102', 'S-103', 'S-104', 'S-105', 'S-106']);
    expect(matchStop(result.bundle.stops, null, { lat: 34.6418, lon: 50.8792 }, { radiusMeters: 40, hysteresisMeters: 10 })).toBe('S-101');
  });
});

describe('stop positions in stops.txt', () => {
  it('keeps boarding stops with a position, leaves out stations and unplaced nodes, refuses bad numbers', () => {
    const stops = bundle({ 'stops.txt': 'stop_id,stop_lat,stop_lon,location_type,parent_station\nst,34.1,50.1,1,\np1,34.2,50.2,0,st\np2,34.3,50.3,,\nnode,,,3,st\n' }).stops;
    expect(stops.stops).toEqual([{ id: 'p1', lat: 34.2, lon: 50.2 }, { id: 'p2', lat: 34.3, lon: 50.3 }]);
    expect(problems({ 'stops.txt': 'stop_id,stop_lat,stop_lon\ns1,94.1,50.1\ns2,34.1,east\n' })).toEqual([
      'stops.txt:2: stop_lat 94.1 is not a number from -90 to 90',
      'stops.txt:3: stop_lon east is not a number from -180 to 180',
    ]);
  });
});
