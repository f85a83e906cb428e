import { describe, expect, it } from 'vitest';
import { NmeaFixTracker } from '../../../device/gps/nmea-fix-tracker.ts';
import { replayNmea } from '../../../device/gps/replay-nmea.ts';
import { RECORDINGS, fixture } from './helpers.ts';

const RMC = '$GPRMC,030719.000,A,3747.0873,S,17518.8938,E,0.69,181.39,311214,,,A*7D';

describe('NmeaFixTracker', () => {
  it('takes date, time, position, speed and track from RMC', () => {
    const t = new NmeaFixTracker();
    expect(t.accept(RMC)).toEqual({ kind: 'accepted', type: 'RMC' });
    expect(t.fix.time).toBe(Date.parse('2014-12-31T03:07:19.000Z'));
    expect(t.fix.position?.lat).toBeCloseTo(-37.784788333, 8);
    expect(t.fix.position?.lon).toBeCloseTo(175.314896667, 8);
    expect(t.fix.speedMps).toBeCloseTo(0.355, 3);
    expect(t.fix.trackDeg).toBe(181.39);
  });

  it('dates a GGA by the last RMC, and gives it no time before any date is known', () => {
    const t = new NmeaFixTracker();
    t.accept('$GPGGA,030719.000,3747.0873,S,17518.8938,E,1,08,1.1,59.9,M,23.7,M,,0000*7D');
    expect(t.fix.time).toBeNull();
    expect(t.fix.position).not.toBeNull();
    t.accept(RMC);
    t.accept('$GPGGA,030720.000,3747.0875,S,17518.8938,E,1,08,1.1,59.8,M,23.7,M,,0000*70');
    expect(t.fix.time).toBe(Date.parse('2014-12-31T03:07:20.000Z'));
  });

  it('a GGA after midnight before the next RMC falls on the next day', () => {
    const t = new NmeaFixTracker();
    t.accept(withChecksum('GPRMC,235959.000,A,3747.0873,S,17518.8938,E,0.69,181.39,311214,,,A'));
    t.accept(withChecksum('GPGGA,000000.000,3747.0875,S,17518.8938,E,1,08,1.1,59.8,M,23.7,M,,0000'));
    expect(t.fix.time).toBe(Date.parse('2015-01-01T00:00:00.000Z'));
  });

  it('void RMC, GGA quality 0 and GNS mode N are no fix; the time still advances', () => {
    const t = new NmeaFixTracker();
    t.accept(RMC);
    t.accept(withChecksum('GPRMC,030720.000,V,,,,,,,311214,,,N'));
    expect(t.fix.position).toBeNull();
    expect(t.fix.time).toBe(Date.parse('2014-12-31T03:07:20.000Z'));
    t.accept(RMC);
    t.accept(withChecksum('GPGGA,030721.000,3747.0873,S,17518.8938,E,0,00,,,M,,M,,'));
    expect(t.fix.position).toBeNull();
    t.accept(RMC);
    t.accept(withChecksum('GNGNS,030722.00,3747.0873,S,17518.8938,E,NN,00,,,,,'));
    expect(t.fix.position).toBeNull();
  });

  it.each([
    ['bad checksum', RMC.replace('*7D', '*7E'), 'bad-checksum'],
    ['cut short', RMC.slice(0, 30), 'malformed'],
    ['cut short with a checksum', withChecksum('GPRMC,030719.000,A,3747.0873'), 'malformed'],
    ['two run together', `${RMC.slice(0, 40)}${RMC}`, 'malformed'],
    ['binary', '\x00\xff\xfe$\x01', 'not-nmea'],
    ['AIS', '!AIVDM,1,1,,A,13aEOK?P00PD2wVMdLDRhgvL289?,0*26', 'not-nmea'],
    ['proprietary', withChecksum('PMTK001,314,3'), 'unsupported'],
    ['empty fields', withChecksum('GPRMC,,,,,,,,,,,'), 'accepted'],
  ])('%s changes no fix', (_name, line, outcome) => {
    const t = new NmeaFixTracker();
    t.accept(RMC);
    const before = t.fix;
    const result = t.accept(line);
    expect(result.kind === 'accepted' ? 'accepted' : result.reason).toBe(outcome);
    if (outcome !== 'accepted') expect(t.fix).toBe(before);
    else expect(t.fix.position).toBeNull();
  });

  it('impossible dates, times and coordinates give no time and no fix', () => {
    const t = new NmeaFixTracker();
    t.accept(withChecksum('GPRMC,256019.000,A,3747.0873,S,17518.8938,E,0.69,181.39,311214,,,A'));
    expect(t.fix.time).toBeNull();
    t.accept(withChecksum('GPRMC,030719.000,A,3747.0873,S,17518.8938,E,0.69,181.39,310214,,,A'));
    expect(t.fix.time).toBeNull();
    t.accept(withChecksum('GPRMC,030719.000,A,9947.0873,S,17518.8938,E,0.69,181.39,311214,,,A'));
    expect(t.fix.position).toBeNull();
  });

  it.each(RECORDINGS)('replays %s without a rejected sentence (in process, as `validator gps replay` does)', (name) => {
    const steps = [...replayNmea(fixture(name))];
    expect(steps.length).toBeGreaterThan(20);
    expect(steps.filter((s) => s.result.kind === 'rejected')).toEqual([]);
  });
});

function withChecksum(body: string): string {
  let sum = 0;
  for (const c of body) sum ^= c.charCodeAt(0);
  return `$${body}*${sum.toString(16).toUpperCase().padStart(2, '0')}`;
}
