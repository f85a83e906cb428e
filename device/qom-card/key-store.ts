import type { KeyType } from '../mifare/geometry.ts';

/**
 * Where a card's MIFARE Classic keys come from: the key file (device/crypto/key-file.ts) today, a SAM
 * later. One key pair per card serves all the Qom sectors (docs/card-layout.md, "Keys").
 */
export interface KeyStore {
  /** The 6-byte key A or B of the Qom sectors of the card with this UID. */
  cardKey(uid: Buffer, type: KeyType): Buffer;
}

/** What blank cards ship with, for key A and key B of every sector. */
export const TRANSPORT_KEY: Buffer = Buffer.alloc(6, 0xff);
