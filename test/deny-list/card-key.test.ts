import { describe, expect, it } from 'vitest';
import { cardNumberOfKey, keyHalves, keyOf, keyOfBytes } from '../../src/deny-list/card-key.ts';

function key(card: string): bigint {
  const out = keyHalves();
  expect(keyOf(card, out)).toBe(true);
  return (BigInt(out[0] ?? 0) << 32n) | BigInt(out[1] ?? 0);
}

describe('card keys', () => {
  it('gives numbers that differ only in leading zeros different keys', () => {
    const keys = ['7', '07', '007', '0000000000000000007', '0', '00'].map(key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('orders shorter numbers first, then by value, and round-trips every length', () => {
    const cards = ['0', '9', '00', '99', '000', '9826000000000001', '9826000000000002', '0000000000000000000', '9999999999999999999'];
    const keys = cards.map(key);
    expect([...keys].sort((a, b) => (a < b ? -1 : 1))).toEqual(keys);
    expect(keys.at(-1)).toBeLessThan(2n ** 64n);
    for (const card of cards) {
      const out = keyHalves();
      keyOf(card, out);
      expect(cardNumberOfKey(out[0] ?? 0, out[1] ?? 0)).toBe(card);
    }
  });

  it('is exact for 19-digit numbers, above what a double holds', () => {
    expect(key('9999999999999999999') - key('9999999999999999998')).toBe(1n);
    expect(key('1000000000000000001') - key('1000000000000000000')).toBe(1n);
  });

  it('refuses what is not 1 to 19 digits, and leaves the output alone', () => {
    const out = keyHalves();
    out[0] = 42;
    for (const bad of ['', '12345678901234567890', '12a4', ' 123', '-1', '1.5', '١٢٣']) expect(keyOf(bad, out)).toBe(false);
    expect(out[0]).toBe(42);
  });

  it('reads the same key from the bytes of a line', () => {
    const line = Buffer.from('xx0042yy');
    const fromBytes = keyHalves();
    expect(keyOfBytes(line, 2, 6, fromBytes)).toBe(true);
    const fromString = keyHalves();
    keyOf('0042', fromString);
    expect([...fromBytes]).toEqual([...fromString]);
    expect(keyOfBytes(line, 0, 4, fromBytes)).toBe(false);
  });

  it('reads the same key from bytes as from the string for every length, up to the largest number', () => {
    let seed = 7;
    const digit = (): string => String((seed = (seed * 48_271) % 2_147_483_647) % 10);
    const cards = ['9999999999999999999', '4294967295', '4294967296', '42949672960', '0000000000000000001'];
    for (let length = 1; length <= 19; length++) for (let n = 0; n < 200; n++) cards.push(Array.from({ length }, digit).join(''));
    for (const card of cards) {
      const fromString = keyHalves();
      const fromBytes = keyHalves();
      expect(keyOf(card, fromString)).toBe(true);
      expect(keyOfBytes(Buffer.from(card), 0, card.length, fromBytes)).toBe(true);
      expect([...fromBytes], card).toEqual([...fromString]);
      expect(cardNumberOfKey(fromBytes[0] ?? 0, fromBytes[1] ?? 0)).toBe(card);
    }
  });
});
