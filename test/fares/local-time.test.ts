import { describe, expect, it } from 'vitest';
import { isTimeZone, parseInstant } from '../../src/fares/local-time.ts';

describe('instants in a bundle\'s zone', () => {
  it('reads a date as local midnight, a local time, and times with Z or an offset', () => {
    expect(parseInstant('2025-04-21', 'Asia/Tehran')).toBe(Date.UTC(2025, 3, 20, 20, 30));
    expect(parseInstant('2025-04-21T07:30', 'Asia/Tehran')).toBe(Date.UTC(2025, 3, 21, 4, 0));
    expect(parseInstant('2025-04-21 07:30:15', 'Asia/Tehran')).toBe(Date.UTC(2025, 3, 21, 4, 0, 15));
    expect(parseInstant('2025-04-21T07:30:15.5Z', 'Asia/Tehran')).toBe(Date.UTC(2025, 3, 21, 7, 30, 15, 500));
    expect(parseInstant('2025-04-21T00:00:00+03:30', 'UTC')).toBe(Date.UTC(2025, 3, 20, 20, 30));
    expect(parseInstant('2025-04-21T00:00:00-05:00', 'Asia/Tehran')).toBe(Date.UTC(2025, 3, 21, 5, 0));
  });

  it('finds local midnight across a daylight-saving change', () => {
    // Berlin: +01:00 before 2026-03-29 02:00, +02:00 after.
    expect(parseInstant('2026-03-29', 'Europe/Berlin')).toBe(Date.UTC(2026, 2, 28, 23, 0));
    expect(parseInstant('2026-03-30', 'Europe/Berlin')).toBe(Date.UTC(2026, 2, 29, 22, 0));
  });

  it('refuses what is not a real instant', () => {
    for (const text of ['2025-02-30', '2025-04-21T24:00', '2025-04-21T10:75', '2025-04-21T10:00:61', '21/04/2025', '2025-4-21', '']) {
      expect(parseInstant(text, 'Asia/Tehran'), text).toBeNull();
    }
  });

  it('knows IANA zones', () => {
    expect(isTimeZone('Asia/Tehran')).toBe(true);
    expect(isTimeZone('Asia/Qom')).toBe(false);
  });
});
