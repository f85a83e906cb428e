import { describe, expect, it } from 'vitest';
import { ErrorCode, isValidatorError } from '../../../src/domain/errors.ts';
import { diversifyAes128 } from '../../../device/crypto/an10922.ts';
import { classicKeyFrom, macKeyInput, sectorKeyInput } from '../../../device/crypto/card-key-inputs.ts';
import { hex, MAC_MASTER, SECTOR_MASTER } from './helpers.ts';

const SYSTEM = Buffer.from('Qom Card', 'latin1');
const UID = hex('04A1B2C3');

describe('Qom Card key inputs (our convention on top of AN10922)', () => {
  it('lays out M as UID ‖ "S" sector type ‖ system identifier for a sector key', () => {
    expect(sectorKeyInput(UID, 1, 'B', SYSTEM).toString('hex').toUpperCase()).toBe('04A1B2C3' + '530142' + '516F6D2043617264');
    expect(sectorKeyInput(UID, 15, 'A', SYSTEM).toString('hex').toUpperCase()).toBe('04A1B2C3' + '530F41' + '516F6D2043617264');
  });

  it('lays out M as UID ‖ "MAC" ‖ system identifier for the MAC key', () => {
    expect(macKeyInput(UID, SYSTEM).toString('hex').toUpperCase()).toBe('04A1B2C3' + '4D4143' + '516F6D2043617264');
  });

  it('derives these keys (regression pins made by this code: changing them re-keys every card)', () => {
    // Not external vectors: AN10922 defines no Classic key. They pin our convention, with a 4-byte UID,
    // where 0x01 ‖ M is exactly one block (the case where AN10922 and plain CMAC differ).
    const sector = hex(SECTOR_MASTER);
    const classic = (s: number, t: 'A' | 'B'): string => classicKeyFrom(diversifyAes128(sector, sectorKeyInput(UID, s, t, SYSTEM))).toString('hex');
    expect(classic(1, 'A')).toBe('b8347d2310ac');
    expect(classic(1, 'B')).toBe('8db4ec363ec5');
    expect(classic(2, 'B')).toBe('39bd105d689b');
    expect(classic(3, 'B')).toBe('ac18550ff303');
    expect(diversifyAes128(hex(MAC_MASTER), macKeyInput(UID, SYSTEM)).toString('hex')).toBe('ab5606e853b8616c8ce2473064d970bd');
    const uid7 = hex('04782E21801D80');
    expect(classicKeyFrom(diversifyAes128(sector, sectorKeyInput(uid7, 1, 'B', SYSTEM))).toString('hex')).toBe('2c873aab52ae');
  });

  it('takes the first 6 bytes of the AES key as the Classic key', () => {
    expect(classicKeyFrom(hex('A8DD63A3B89D54B37CA802473FDA9175')).toString('hex').toUpperCase()).toBe('A8DD63A3B89D');
  });

  it('refuses a UID no MIFARE Classic has as an unreadable card, and a sector a 1K card lacks as a bug', () => {
    let caught: unknown;
    try {
      sectorKeyInput(hex('0102030405'), 1, 'B', SYSTEM);
    } catch (e) {
      caught = e;
    }
    expect(isValidatorError(caught, ErrorCode.CardUnreadable)).toBe(true);
    expect(() => macKeyInput(Buffer.alloc(0), SYSTEM)).toThrow('a 0-byte UID');
    expect(() => sectorKeyInput(UID, 16, 'B', SYSTEM)).toThrow(RangeError);
    expect(() => sectorKeyInput(UID, 1.5, 'B', SYSTEM)).toThrow(RangeError);
  });

  it('fits the longest UID and system identifier in AN10922 31 bytes', () => {
    const uid10 = Buffer.alloc(10, 0x04);
    const longest = Buffer.alloc(18, 0x51);
    expect(sectorKeyInput(uid10, 1, 'B', longest)).toHaveLength(31);
    expect(() => sectorKeyInput(uid10, 1, 'B', Buffer.alloc(19, 0x51))).toThrow(RangeError);
  });
});
