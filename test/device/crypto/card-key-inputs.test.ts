import { describe, expect, it } from 'vitest';
import { ErrorCode, isValidatorError } from '../../../src/domain/errors.ts';
import { diversifyAes128 } from '../../../device/crypto/an10922.ts';
import { classicKeyFrom, classicKeyInput, macKeyInput } from '../../../device/crypto/card-key-inputs.ts';
import { hex, MAC_MASTER, SECTOR_MASTER } from './helpers.ts';

const SYSTEM = Buffer.from('Qom Card', 'latin1');
const UID = hex('04A1B2C3');

describe('Qom Card key inputs (our convention on top of AN10922)', () => {
  it('lays out M as UID ‖ "CKA" or "CKB" ‖ system identifier for the Classic keys: no sector number', () => {
    expect(classicKeyInput(UID, 'A', SYSTEM).toString('hex').toUpperCase()).toBe('04A1B2C3' + '434B41' + '516F6D2043617264');
    expect(classicKeyInput(UID, 'B', SYSTEM).toString('hex').toUpperCase()).toBe('04A1B2C3' + '434B42' + '516F6D2043617264');
  });

  it('lays out M as UID ‖ "MAC" ‖ system identifier for the MAC key', () => {
    expect(macKeyInput(UID, SYSTEM).toString('hex').toUpperCase()).toBe('04A1B2C3' + '4D4143' + '516F6D2043617264');
  });

  it('derives these keys (regression pins made by this code: changing them re-keys every card)', () => {
    // Not external vectors: AN10922 defines no Classic key (its own vectors are in an10922.test.ts). These
    // pin our convention, with a 4-byte UID (0x01 ‖ M is 16 bytes, where AN10922 and plain CMAC differ) and
    // a 7-byte one. docs/card-layout.md shows the same keys in its worked example.
    const sector = hex(SECTOR_MASTER);
    const classic = (uid: Buffer, t: 'A' | 'B'): string => classicKeyFrom(diversifyAes128(sector, classicKeyInput(uid, t, SYSTEM))).toString('hex');
    expect(classic(UID, 'A')).toBe('e1f41773ca1e');
    expect(classic(UID, 'B')).toBe('785ecc173e6a');
    expect(classic(hex('04A1B2C4'), 'B')).toBe('f3725f3ed516');
    expect(classic(hex('04782E21801D80'), 'B')).toBe('fd23c7eed3b1');
    expect(diversifyAes128(hex(MAC_MASTER), macKeyInput(UID, SYSTEM)).toString('hex')).toBe('ab5606e853b8616c8ce2473064d970bd');
  });

  it('takes the first 6 bytes of the AES key as the Classic key', () => {
    expect(classicKeyFrom(hex('A8DD63A3B89D54B37CA802473FDA9175')).toString('hex').toUpperCase()).toBe('A8DD63A3B89D');
  });

  it('refuses a UID no MIFARE Classic has as an unreadable card', () => {
    let caught: unknown;
    try {
      classicKeyInput(hex('0102030405'), 'B', SYSTEM);
    } catch (e) {
      caught = e;
    }
    expect(isValidatorError(caught, ErrorCode.CardUnreadable)).toBe(true);
    expect(() => macKeyInput(Buffer.alloc(0), SYSTEM)).toThrow('a 0-byte UID');
  });

  it('fits the longest UID and system identifier in AN10922 31 bytes', () => {
    const uid10 = Buffer.alloc(10, 0x04);
    const longest = Buffer.alloc(18, 0x51);
    expect(classicKeyInput(uid10, 'B', longest)).toHaveLength(31);
    expect(() => classicKeyInput(uid10, 'B', Buffer.alloc(19, 0x51))).toThrow(RangeError);
  });
});
