import { ErrorCode, ValidatorError } from '../../src/domain/errors.ts';
import { KEY_SIZE, type KeyType } from '../mifare/geometry.ts';

/**
 * What we feed AN10922 for each Qom Card key. This is OUR convention, not NXP's: AN10922 diversifies
 * DESFire-style AES and DES keys and defines no 6-byte MIFARE Classic key. We keep the AN's shape,
 * M = UID ‖ 3-byte application field ‖ system identifier, and use the application field (the DESFire AID
 * in the AN) to say which key this is:
 *
 *     Classic key A   UID ‖ 43 4B 41   ("CKA")
 *     Classic key B   UID ‖ 43 4B 42   ("CKB")
 *     MAC key         UID ‖ 4D 41 43   ("MAC")
 *
 * One Classic key pair per card serves every Qom sector: no sector number goes into M. Per-sector keys
 * would cost a LOAD KEY at each sector switch (3 more exchanges a tap) and protect nothing on Crypto1,
 * where the nested attack recovers every sector key of a card from any one (docs/card-layout.md, "Keys").
 *
 * A Classic key is the first 6 bytes of the AES-128 key AN10922 derives from that M. Changing any byte
 * here re-keys every card in the field, so these are pinned by test vectors.
 */

/** UID lengths of ISO/IEC 14443-3 type A: single, double and triple size. */
export const UID_LENGTHS: readonly number[] = [4, 7, 10];
/** Room left in AN10922's 31 bytes after the longest UID and the application field. */
export const MAX_SYSTEM_IDENTIFIER = 31 - 10 - 3;

const CLASSIC_KEY_FIELD: Readonly<Record<KeyType, Buffer>> = {
  A: Buffer.from('CKA', 'latin1'),
  B: Buffer.from('CKB', 'latin1'),
};
const MAC_KEY_FIELD = Buffer.from('MAC', 'latin1');

/** M for the card's MIFARE Classic key A or B, the same in every Qom sector of the card with this UID. */
export function classicKeyInput(uid: Buffer, type: KeyType, systemIdentifier: Buffer): Buffer {
  return Buffer.concat([checkUid(uid), CLASSIC_KEY_FIELD[type], checkSystemIdentifier(systemIdentifier)]);
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
