import type { KeyType } from '../mifare/geometry.ts';

/**
 * Where sector keys come from. v0 has one fixed pair for every card; issue 3 puts per-card diversified
 * keys behind the same call, so the codec does not change.
 */
export interface KeyStore {
  /** The 6-byte key of one of our sectors on the card with this UID. */
  sectorKey(uid: Buffer, sector: number, type: KeyType): Buffer;
}

/** What blank cards ship with, for key A and key B of every sector. */
export const TRANSPORT_KEY: Buffer = Buffer.alloc(6, 0xff);

/** The v0 keys. Not secret: they are in this repository, and MIFARE Classic's Crypto1 is broken anyway. */
export const V0_KEYS: Readonly<Record<KeyType, Buffer>> = {
  A: Buffer.from('A0514F4D0001', 'hex'),
  B: Buffer.from('B0514F4D0001', 'hex'),
};

/** The same key pair for every card and sector. */
export class FixedKeyStore implements KeyStore {
  constructor(private readonly keys: Readonly<Record<KeyType, Buffer>> = V0_KEYS) {
    for (const type of ['A', 'B'] as const) {
      if (keys[type].length !== 6) throw new RangeError(`key ${type} must be 6 bytes, got ${keys[type].length}`);
    }
  }

  sectorKey(_uid: Buffer, _sector: number, type: KeyType): Buffer {
    return Buffer.from(this.keys[type]);
  }
}
