import { describe, expect, it } from 'vitest';
import { aesCmac, aesCmacTruncated, cmacSubkeys, verifyAesCmac } from '../../../device/crypto/aes-cmac.ts';
import { hex } from './helpers.ts';

// RFC 4493 §4 "Test Vectors" (the same as NIST SP 800-38B, Appendix D.1, AES-128): the key, the subkeys
// K1 and K2, and the tags of the four examples, which take the first 0, 16, 40 and 64 bytes of one message.
const RFC_KEY = hex('2b7e1516 28aed2a6 abf71588 09cf4f3c');
const RFC_MESSAGE = hex(`
  6bc1bee2 2e409f96 e93d7e11 7393172a
  ae2d8a57 1e03ac9c 9eb76fac 45af8e51
  30c81c46 a35ce411 e5fbc119 1a0a52ef
  f69f2445 df4f9b17 ad2b417b e66c3710`);

describe('AES-CMAC (RFC 4493)', () => {
  it('makes the subkeys of RFC 4493 §4 (subkey generation)', () => {
    const { k1, k2 } = cmacSubkeys(RFC_KEY);
    expect(k1.toString('hex')).toBe('fbeed618357133667c85e08f7236a8de');
    expect(k2.toString('hex')).toBe('f7ddac306ae266ccf90bc11ee46d513b');
  });

  it('makes the subkeys of the AN10922 §2.2 example too (a master key whose L has its top bit set)', () => {
    // The subkeys AN10922 §2.2.1 prints for its example master key, as quoted by several public DESFire
    // test suites (I have not seen the AN's own page). A second subkey vector, where L's top bit is 1.
    const { k1, k2 } = cmacSubkeys(hex('00112233445566778899AABBCCDDEEFF'));
    expect(k1.toString('hex')).toBe('fbc9f75c9413c041dfee452d3f0706d1');
    expect(k2.toString('hex')).toBe('f793eeb928278083bfdc8a5a7e0e0d25');
  });

  it.each([
    ['Example 1: len = 0, padded, K2', 0, 'bb1d6929e95937287fa37d129b756746'],
    ['Example 2: len = 16, one whole block, K1', 16, '070a16b46b4d4144f79bdd9dd04a287c'],
    ['Example 3: len = 40, partial last block, K2', 40, 'dfa66747de9ae63030ca32611497c827'],
    ['Example 4: len = 64, whole last block, K1', 64, '51f0bebf7e3b9d92fc49741779363cfe'],
  ])('%s', (_name, length, tag) => {
    expect(aesCmac(RFC_KEY, RFC_MESSAGE.subarray(0, length)).toString('hex')).toBe(tag);
  });

  it('leaves the message as it was', () => {
    const message = Buffer.from(RFC_MESSAGE.subarray(0, 40));
    aesCmac(RFC_KEY, message);
    expect(message).toEqual(RFC_MESSAGE.subarray(0, 40));
  });

  it('truncates to the leftmost bytes', () => {
    expect(aesCmacTruncated(RFC_KEY, RFC_MESSAGE, 4).toString('hex')).toBe('51f0bebf');
    expect(aesCmacTruncated(RFC_KEY, RFC_MESSAGE, 16).toString('hex')).toBe('51f0bebf7e3b9d92fc49741779363cfe');
  });

  it('verifies a full or truncated tag, and refuses one bit off in the tag or the message', () => {
    expect(verifyAesCmac(RFC_KEY, RFC_MESSAGE, hex('51f0bebf7e3b9d92fc49741779363cfe'))).toBe(true);
    expect(verifyAesCmac(RFC_KEY, RFC_MESSAGE, hex('51f0bebf'))).toBe(true);
    expect(verifyAesCmac(RFC_KEY, RFC_MESSAGE, hex('51f0bebe'))).toBe(false);
    const altered = Buffer.from(RFC_MESSAGE);
    altered[63]! ^= 0x01;
    expect(verifyAesCmac(RFC_KEY, altered, hex('51f0bebf'))).toBe(false);
  });

  it('refuses tag lengths that would not authenticate anything', () => {
    expect(() => verifyAesCmac(RFC_KEY, RFC_MESSAGE, Buffer.alloc(0))).toThrow(RangeError);
    expect(() => verifyAesCmac(RFC_KEY, RFC_MESSAGE, hex('51f0be'))).toThrow(RangeError);
    expect(() => aesCmacTruncated(RFC_KEY, RFC_MESSAGE, 17)).toThrow(RangeError);
  });

  it('refuses a key that is not AES-128, without showing it', () => {
    const short = hex('2b7e151628aed2a6abf7158809cf4f');
    expect(() => aesCmac(short, RFC_MESSAGE)).toThrow('an AES-128 key is 16 bytes, got 15');
    try {
      aesCmac(short, RFC_MESSAGE);
    } catch (e) {
      expect(String(e)).not.toMatch(/2b7e/i);
    }
  });
});
