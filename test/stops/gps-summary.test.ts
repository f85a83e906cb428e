import { describe, expect, it } from 'vitest';
import { gpsSummary } from '../../src/app/start-gps.ts';

describe('gpsSummary (status and heartbeat)', () => {
  it('says the fix, the stop and which way the system clock is off', () => {
    expect(
      gpsSummary({ source: '/dev/serial/by-id/usb-gps', status: 'fix', stop: 'S-101', clockErrorMs: 400, fix: { time: '2025-06-01T12:00:00.000Z', lat: 34.64177, lon: 50.87898, speedMps: 0 } }),
    ).toBe('fix 34.6417700 50.8789800 at 2025-06-01T12:00:00.000Z · stop S-101 · system clock 0.4 s behind GPS · /dev/serial/by-id/usb-gps');
    expect(gpsSummary({ source: 'simulated', status: 'stale', stop: null, clockErrorMs: -2500, fix: null })).toBe('stale · stop - · system clock 2.5 s ahead of GPS · simulated');
    expect(gpsSummary({ source: '/dev/ttyUSB0', status: 'no-receiver', stop: null, clockErrorMs: null, fix: null })).toBe('no-receiver · stop - · clock not checked yet · /dev/ttyUSB0');
    expect(gpsSummary(null)).toBe('none (stop from config device.stop)');
  });
});
