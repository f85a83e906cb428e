import { ErrorCode, ValidatorError } from '../../src/domain/errors.ts';
import { KEY_SIZE, SECTORS, type KeyType } from '../mifare/geometry.ts';

/**
 * What we feed AN10922 for each Qom Card key. This is OUR convention, not NXP's: AN10922 diversifies
 * DESFire-style AES and DES keys and defines no 6-byte MIFARE Classic key. We keep the AN's shape,
 * M = UID ‖ 3-byte application field ‖ system identifier, and use the application field (the DESFire AID
 * in the AN) to say which key this is:
 *
 *     sector key   UID ‖ 53 ‖ sector ‖ 41 or 42   ("S", sector number, "A" or "B")
 *     MAC key      UID ‖ 4D 41 43                  ("MAC")
 *
 * A Classic sector key is the first 6 bytes of the AES-128 key AN10922 derives from that M. Changing any
 * byte here re-keys every card in the field, so these are pinned by test vectors.
 */

/** UID lengths of ISO/IEC 14443-3 type A: single, double and triple size. */
export const UID_LENGTHS: readonly number[] = [4, 7, 10];
/** Room left in AN10922's 31 bytes after the longest UID and the application field. */
export const MAX_SYSTEM_IDENTIFIER = 31 - 10 - 3;

const SECTOR_KEY_TAG = 0x53;
const MAC_KEY_FIELD = Buffer.from('MAC', 'latin1');

/** M for key A or B of one sector of the card with this UID. */
export function sectorKeyInput(uid: Buffer, sector: number, type: KeyType, systemIdentifier: Buffer): Buffer {
  if (!Number.isInteger(sector) || sector < 0 || sector >= SECTORS) throw new RangeError(`no sector ${sector} on a 1K card`);
  const field = Buffer.of(SECTOR_KEY_TAG, sector, type.charCodeAt(0));
  return Buffer.concat([checkUid(uid), field, checkSystemIdentifier(systemIdentifier)]);
}

/** M for the key that authenticates the purse slots of the card with this UID. */
export function macKeyInput(uid: Buffer, systemIdentifier: Buffer): Buffer {
  return Buffer.concat([checkUid(uid), MAC_KEY_FIELD, checkSystemIdentifier(systemIdentifier)]);
}

/** A MIFARE Classic key from an AN10922 AES-128 output: its first 6 bytes. */
export function classicKeyFrom(aesKey: Buffer): Buffer {
  return Buffer.from(aesKey.subarray(0, KEY_SIZE));
}

function checkUid(uid: Buffer): Buffer {
  // A card, not a bug: whatever answers in the field has some UID, and one of another length is not ours.
  if (!UID_LENGTHS.includes(uid.length)) {
    throw new ValidatorError(ErrorCode.CardUnreadable, `a ${uid.length}-byte UID is not a MIFARE Classic UID (4, 7 or 10 bytes)`);
  }
  return uid;
}

function checkSystemIdentifier(id: Buffer): Buffer {
  if (id.length < 1 || id.length > MAX_SYSTEM_IDENTIFIER) {
    throw new RangeError(`a system identifier is 1 to ${MAX_SYSTEM_IDENTIFIER} bytes, got ${id.length}`);
  }
  return id;
}
