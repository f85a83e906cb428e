import { BLOCK_SIZE, KEY_SIZE, type KeyType } from './geometry.ts';

/** The PC/SC part 3 pseudo-APDUs (class FF) that nfc-pcsc and ACR122U-class readers use for MIFARE Classic. */

export const CLA = 0xff;
export const INS = {
  loadKey: 0x82,
  authenticate: 0x86,
  readBinary: 0xb0,
  updateBinary: 0xd6,
  getData: 0xca,
} as const;

export const KEY_TYPE_CODE: Record<KeyType, number> = { A: 0x60, B: 0x61 };

/** LOAD AUTHENTICATION KEYS into the reader's volatile key slot: FF 82 00 <slot> 06 <key>. */
export function loadKeyApdu(slot: number, key: Buffer): Buffer {
  if (key.length !== KEY_SIZE) throw new RangeError(`a MIFARE key is ${KEY_SIZE} bytes, got ${key.length}`);
  return Buffer.from([CLA, INS.loadKey, 0x00, slot, KEY_SIZE, ...key]);
}

/** GENERAL AUTHENTICATE: FF 86 00 00 05 01 00 <block> <60|61> <slot>. */
export function authenticateApdu(block: number, keyType: KeyType, slot: number): Buffer {
  return Buffer.from([CLA, INS.authenticate, 0x00, 0x00, 0x05, 0x01, 0x00, block, KEY_TYPE_CODE[keyType], slot]);
}

/** READ BINARY of one block: FF B0 00 <block> 10. */
export function readBinaryApdu(block: number): Buffer {
  return Buffer.from([CLA, INS.readBinary, 0x00, block, BLOCK_SIZE]);
}

/** UPDATE BINARY of one block: FF D6 00 <block> 10 <16 bytes>. */
export function updateBinaryApdu(block: number, data: Buffer): Buffer {
  if (data.length !== BLOCK_SIZE) throw new RangeError(`a block is ${BLOCK_SIZE} bytes, got ${data.length}`);
  return Buffer.from([CLA, INS.updateBinary, 0x00, block, BLOCK_SIZE, ...data]);
}

/** GET DATA, UID of the card in the field: FF CA 00 00 00. */
export function getUidApdu(): Buffer {
  return Buffer.from([CLA, INS.getData, 0x00, 0x00, 0x00]);
}
