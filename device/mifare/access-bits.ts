import type { KeyType } from './geometry.ts';

/**
 * Access conditions of a MIFARE Classic sector, per the MF1S50 datasheet (section 8.7).
 * A condition is the bits C1 C2 C3 of one block read as a number: (C1 << 2) | (C2 << 1) | C3.
 */
export type AccessCondition = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** Conditions of blocks 0, 1, 2 and of the trailer (block 3). */
export type SectorAccess = readonly [AccessCondition, AccessCondition, AccessCondition, AccessCondition];

/** How blank cards ship: data blocks 000 (key A or B does all), trailer 001 (key A does all). Bytes FF 07 80. */
export const TRANSPORT_ACCESS: SectorAccess = [0, 0, 0, 1];

type Keys = readonly KeyType[];
const none: Keys = [];
const a: Keys = ['A'];
const b: Keys = ['B'];
const ab: Keys = ['A', 'B'];

export interface DataBlockRights {
  readonly read: Keys;
  readonly write: Keys;
}

/** MF1S50 table 8, read and write columns (value-block operations are not modelled). */
const dataTable: Record<AccessCondition, DataBlockRights> = {
  0b000: { read: ab, write: ab },
  0b010: { read: ab, write: none },
  0b100: { read: ab, write: b },
  0b110: { read: ab, write: b },
  0b001: { read: ab, write: none },
  0b011: { read: b, write: b },
  0b101: { read: b, write: none },
  0b111: { read: none, write: none },
};

export interface TrailerRights {
  readonly keyARead: Keys;
  readonly keyAWrite: Keys;
  readonly accessRead: Keys;
  /** Also covers byte 9, the general purpose byte. */
  readonly accessWrite: Keys;
  readonly keyBRead: Keys;
  readonly keyBWrite: Keys;
}

/** MF1S50 table 7. Key A is never readable. */
const trailerTable: Record<AccessCondition, TrailerRights> = {
  0b000: { keyARead: none, keyAWrite: a, accessRead: a, accessWrite: none, keyBRead: a, keyBWrite: a },
  0b010: { keyARead: none, keyAWrite: none, accessRead: a, accessWrite: none, keyBRead: a, keyBWrite: none },
  0b100: { keyARead: none, keyAWrite: b, accessRead: ab, accessWrite: none, keyBRead: none, keyBWrite: b },
  0b110: { keyARead: none, keyAWrite: none, accessRead: ab, accessWrite: none, keyBRead: none, keyBWrite: none },
  0b001: { keyARead: none, keyAWrite: a, accessRead: a, accessWrite: a, keyBRead: a, keyBWrite: a },
  0b011: { keyARead: none, keyAWrite: b, accessRead: ab, accessWrite: b, keyBRead: none, keyBWrite: b },
  0b101: { keyARead: none, keyAWrite: none, accessRead: ab, accessWrite: b, keyBRead: none, keyBWrite: none },
  0b111: { keyARead: none, keyAWrite: none, accessRead: ab, accessWrite: none, keyBRead: none, keyBWrite: none },
};

/** Which keys may read and write a data block under this condition. */
export function dataBlockRights(condition: AccessCondition): DataBlockRights {
  return dataTable[condition];
}

/** Which keys may read and write each part of a sector trailer under this condition. */
export function trailerRights(condition: AccessCondition): TrailerRights {
  return trailerTable[condition];
}

/**
 * Where key B is readable it is data, not a key: the datasheet says the card then refuses every memory
 * access after an authentication with key B.
 */
export function keyBIsData(trailerCondition: AccessCondition): boolean {
  return trailerTable[trailerCondition].keyBRead.length > 0;
}

/** Trailer bytes 6..8 for the given conditions; the inverted copies are always consistent. */
export function encodeAccessBits(access: SectorAccess): Buffer {
  let c1 = 0;
  let c2 = 0;
  let c3 = 0;
  access.forEach((condition, block) => {
    c1 |= ((condition >> 2) & 1) << block;
    c2 |= ((condition >> 1) & 1) << block;
    c3 |= (condition & 1) << block;
  });
  const inv = (nibble: number): number => ~nibble & 0x0f;
  return Buffer.from([(inv(c2) << 4) | inv(c1), (c1 << 4) | inv(c3), (c3 << 4) | c2]);
}

/**
 * The conditions in trailer bytes 6..8, or null when the inverted copies disagree: the datasheet's
 * format violation, which blocks the whole sector irreversibly.
 */
export function decodeAccessBits(bytes: Uint8Array): SectorAccess | null {
  if (bytes.length !== 3) throw new RangeError(`access bits are 3 bytes, got ${bytes.length}`);
  const [b6, b7, b8] = [bytes[0]!, bytes[1]!, bytes[2]!];
  const c1 = b7 >> 4;
  const c2 = b8 & 0x0f;
  const c3 = b8 >> 4;
  if ((b6 & 0x0f) !== (~c1 & 0x0f) || b6 >> 4 !== (~c2 & 0x0f) || (b7 & 0x0f) !== (~c3 & 0x0f)) return null;
  const condition = (block: number): AccessCondition =>
    ((((c1 >> block) & 1) << 2) | (((c2 >> block) & 1) << 1) | ((c3 >> block) & 1)) as AccessCondition;
  return [condition(0), condition(1), condition(2), condition(3)];
}
