import { describe, expect, it } from 'vitest';
import { aesCmac } from '../../../device/crypto/aes-cmac.ts';
import { diversifyAes128, MAX_DIVERSIFICATION_INPUT } from '../../../device/crypto/an10922.ts';
import { hex } from './helpers.ts';

describe('AN10922 AES-128 key diversification', () => {
  it('derives the key of the AN10922 §2.2 example', () => {
    // NXP AN10922 "Symmetric key diversifications", §2.2.1 AES-128 example, as quoted in
    // nfc-tools/libfreefare test/test_mifare_key_deriver_an10922.c (test_..._aes128, which also pins
    // M = 01 04782E21801D80 3042F5 4E585020416275), hst125fan/nxp-key-diversification AN10922.py (test())
    // and liblogicalaccess/liblogicalaccess tests/unittest/test_diversification.cpp (av2).
    const master = hex('00112233445566778899AABBCCDDEEFF');
    const uid = hex('04782E21801D80');
    const aid = hex('3042F5');
    const systemIdentifier = Buffer.from('NXP Abu', 'latin1'); // 4E 58 50 20 41 62 75
    const m = Buffer.concat([uid, aid, systemIdentifier]);
    expect(m.toString('hex').toUpperCase()).toBe('04782E21801D803042F54E585020416275');
    expect(diversifyAes128(master, m).toString('hex').toUpperCase()).toBe('A8DD63A3B89D54B37CA802473FDA9175');
  });

  it('pads a short input to two blocks as the AN does, not as plain CMAC would (the AN10957 example)', () => {
    // The example of NXP AN10957 (M is a 7-byte UID alone), as quoted in liblogicalaccess
    // tests/unittest/test_diversification.cpp (av2_2), and in Tim Hawes' desfire tests ("Test cases from
    // AN10957").
    // 0x01 ‖ M is 8 bytes: RFC 4493 would pad it to one block, AN10922 pads it to two. The §2.2 example
    // (18 bytes, two blocks either way) cannot tell these apart; libfreefare got it wrong until its issue #91.
    const master = hex('F3F9377698707B688EAF84ABE39E3791');
    const m = hex('04DEADBEEFFEED');
    expect(diversifyAes128(master, m).toString('hex').toUpperCase()).toBe('0BB408BAFF98B6EE9F2E1585777F6A51');
    expect(aesCmac(master, Buffer.concat([Buffer.of(0x01), m])).toString('hex').toUpperCase()).not.toBe('0BB408BAFF98B6EE9F2E1585777F6A51');
  });

  it('with a 31-byte input, which fills both blocks, is plain AES-CMAC of 0x01 ‖ M (K1, no padding)', () => {
    const master = hex('00112233445566778899AABBCCDDEEFF');
    const m = Buffer.alloc(MAX_DIVERSIFICATION_INPUT, 0xa5);
    expect(diversifyAes128(master, m)).toEqual(aesCmac(master, Buffer.concat([Buffer.of(0x01), m])));
  });

  it('with 15 bytes (0x01 ‖ M one whole block) still pads to two blocks, unlike plain CMAC', () => {
    const master = hex('00112233445566778899AABBCCDDEEFF');
    const m = Buffer.alloc(15, 0xa5);
    expect(diversifyAes128(master, m)).not.toEqual(aesCmac(master, Buffer.concat([Buffer.of(0x01), m])));
  });

  it('refuses an empty input or one longer than 31 bytes', () => {
    const master = hex('00112233445566778899AABBCCDDEEFF');
    expect(() => diversifyAes128(master, Buffer.alloc(0))).toThrow(RangeError);
    expect(() => diversifyAes128(master, Buffer.alloc(32))).toThrow('1 to 31 bytes, got 32');
  });
});
