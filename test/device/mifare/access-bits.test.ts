import { describe, expect, it } from 'vitest';
import {
  dataBlockRights,
  decodeAccessBits,
  encodeAccessBits,
  keyBIsData,
  TRANSPORT_ACCESS,
  trailerRights,
  type AccessCondition,
  type SectorAccess,
} from '../../../device/mifare/access-bits.ts';

const all: AccessCondition[] = [0, 1, 2, 3, 4, 5, 6, 7];

describe('access bits', () => {
  it('encodes the datasheet examples', () => {
    expect(encodeAccessBits(TRANSPORT_ACCESS).toString('hex')).toBe('ff0780');
    expect(encodeAccessBits([4, 4, 4, 3]).toString('hex')).toBe('787788');
  });

  it('round-trips every combination of conditions', () => {
    for (const c0 of all) for (const c1 of all) for (const c2 of all) for (const c3 of all) {
      const access: SectorAccess = [c0, c1, c2, c3];
      expect(decodeAccessBits(encodeAccessBits(access))).toEqual(access);
    }
  });

  it('detects any single flipped bit as a format violation', () => {
    const good = encodeAccessBits([4, 4, 4, 3]);
    for (let bit = 0; bit < 24; bit++) {
      const bad = Buffer.from(good);
      bad[bit >> 3]! ^= 1 << (bit & 7);
      expect(decodeAccessBits(bad)).toBeNull();
    }
  });

  it('reads the tables: transport data blocks are open, 111 is closed, key A is never readable', () => {
    expect(dataBlockRights(0)).toEqual({ read: ['A', 'B'], write: ['A', 'B'] });
    expect(dataBlockRights(4)).toEqual({ read: ['A', 'B'], write: ['B'] });
    expect(dataBlockRights(7)).toEqual({ read: [], write: [] });
    for (const c of all) expect(trailerRights(c).keyARead).toEqual([]);
    expect(trailerRights(3)).toMatchObject({ keyAWrite: ['B'], accessWrite: ['B'], keyBWrite: ['B'], keyBRead: [] });
    expect(all.filter(keyBIsData)).toEqual([0, 1, 2]);
  });
});
