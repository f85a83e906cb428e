import { describe, expect, it } from 'vitest';
import { formatOffset, localDate, utcOffsetMinutes } from '../../src/domain/time.ts';

describe('time zone facts', () => {
  it('gives Tehran +03:30 and the local date across local midnight', () => {
    const justBefore = Date.UTC(2026, 10, 21, 20, 29, 59, 999); // 23:59:59.999 in Tehran
    expect(utcOffsetMinutes(justBefore, 'Asia/Tehran')).toBe(210);
    expect(localDate(justBefore, 'Asia/Tehran')).toBe('2026-11-21');
    expect(localDate(justBefore + 1, 'Asia/Tehran')).toBe('2026-11-22');
    expect(formatOffset(210)).toBe('+03:30');
    expect(formatOffset(-150)).toBe('-02:30');
  });

  it('follows a daylight-saving change within the same hour it happens (cache per quarter hour)', () => {
    // Europe/Berlin: 2026-03-29 01:00 UTC clocks go from +01:00 to +02:00.
    const change = Date.UTC(2026, 2, 29, 1, 0, 0);
    expect(utcOffsetMinutes(change - 1, 'Europe/Berlin')).toBe(60);
    expect(utcOffsetMinutes(change, 'Europe/Berlin')).toBe(120);
    expect(utcOffsetMinutes(change - 1, 'Europe/Berlin')).toBe(60);
    // Nepal (+05:45): local midnight on a quarter hour.
    const midnight = Date.UTC(2026, 0, 1, 18, 15, 0);
    expect(localDate(midnight - 1, 'Asia/Kathmandu')).toBe('2026-01-01');
    expect(localDate(midnight, 'Asia/Kathmandu')).toBe('2026-01-02');
  });
});
