import { describe, expect, it } from 'vitest';
import { isValidatorError, ErrorCode } from '../../src/domain/errors.ts';
import { canonicalEncoding, formatE7, GENESIS_HASH, quantizePosition, tapHash, toE7 } from '../../src/journal/canonical.ts';
import { checkTapFields } from '../../src/journal/check-tap-fields.ts';
import { sampleTap } from './helpers/sample-tap.ts';

describe('coordinates', () => {
  it('formats E7 integers with exactly seven fraction digits', () => {
    expect(formatE7(346401000)).toBe('34.6401000');
    expect(formatE7(-5)).toBe('-0.0000005');
    expect(formatE7(0)).toBe('0.0000000');
    expect(formatE7(-1800000000)).toBe('-180.0000000');
    expect(formatE7(900000000)).toBe('90.0000000');
  });

  it('rounds to E7 half away from zero and never yields -0', () => {
    expect(toE7(34.6401)).toBe(346401000);
    expect(toE7(0.00000005)).toBe(1);
    expect(toE7(-0.00000005)).toBe(-1);
    expect(Object.is(toE7(-0.00000001), 0)).toBe(true);
  });

  it('quantized positions survive another round trip unchanged', () => {
    const q = quantizePosition({ lat: 34.640123456789, lon: -50.87641234 });
    expect(q).toEqual({ lat: 34.6401235, lon: -50.8764123 });
    expect(quantizePosition(q)).toEqual(q);
  });
});

describe('canonicalEncoding', () => {
  it('writes non-ASCII text as raw UTF-8 and escapes only quote and backslash', () => {
    const tap = checkTapFields(sampleTap(1, { route: 'خط ۱۲', stop: 'a"b\\c/d' }));
    const text = canonicalEncoding(1, GENESIS_HASH, tap);
    expect(text).toContain('"خط ۱۲"');
    expect(text).toContain('"a\\"b\\\\c/d"');
    expect(text).not.toContain('\\u');
  });

  it('changes when any field, the seq or the previous hash changes', () => {
    const tap = checkTapFields(sampleTap(1));
    const base = tapHash(5, GENESIS_HASH, tap);
    expect(tapHash(6, GENESIS_HASH, tap)).not.toBe(base);
    expect(tapHash(5, 'f'.repeat(64), tap)).not.toBe(base);
    expect(tapHash(5, GENESIS_HASH, { ...tap, fare: tap.fare + 1 })).not.toBe(base);
    expect(tapHash(5, GENESIS_HASH, { ...tap, transfer: true })).not.toBe(base);
    expect(tapHash(5, GENESIS_HASH, { ...tap, position: null })).not.toBe(base);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('checkTapFields', () => {
  it('names every field the format cannot hold', () => {
    const bad = { ...sampleTap(1), fare: 1.5, time: -1, transfer: 'no', device: '', route: 'x\ny', reason: 'A\ud800' };
    let message = '';
    try {
      checkTapFields(bad);
    } catch (e) {
      expect(isValidatorError(e, ErrorCode.BadRequest)).toBe(true);
      message = (e as Error).message;
    }
    for (const field of ['fare', 'time', 'transfer', 'device', 'route', 'reason']) expect(message).toContain(field);
  });

  it('refuses coordinates out of range and keeps only known fields', () => {
    expect(() => checkTapFields(sampleTap(1, { position: { lat: 91, lon: 0 } }))).toThrow(/position/);
    const clean = checkTapFields({ ...sampleTap(1), extra: 'dropped' });
    expect(clean).not.toHaveProperty('extra');
  });
});
