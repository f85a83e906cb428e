import type { IntegrityCheck } from '../qom-card/integrity.ts';
import { aesCmacTruncated, verifyAesCmac } from './aes-cmac.ts';

/** Where a card's MAC key comes from: the key file today (FileKeyStore), a SAM later. */
export interface MacKeySource {
  /** The AES-128 key that authenticates the purse slots of the card with this UID: a fresh buffer, which the caller wipes after use. */
  macKey(uid: Buffer): Buffer;
}

/**
 * AES-CMAC of UID ‖ message under the card's own MAC key (AN10922, diversified from the UID), cut to the
 * 4 bytes layout v1 has for it (body bytes 28–31). The UID is in the message as well as in the key, so the
 * tag stays bound to the card even with a key source that does not diversify.
 *
 * Four bytes give a forger a 1 in 2^32 chance per try, and each try is a card write and a tap at a
 * validator, which journals the rejection: docs/card-layout.md ("Integrity") weighs that.
 */
export class CmacIntegrity implements IntegrityCheck {
  readonly name = 'aes-cmac';
  readonly tagLength = 4;

  constructor(private readonly keys: MacKeySource) {}

  /** The 4-byte tag of `message` on the card with this UID. */
  tag(uid: Buffer, message: Buffer): Buffer {
    const key = this.keys.macKey(uid);
    try {
      return aesCmacTruncated(key, Buffer.concat([uid, message]), this.tagLength);
    } finally {
      key.fill(0);
    }
  }

  /** Whether `tag` is this card's tag of `message`, in constant time: what a decoder should call rather than compare tag() itself. */
  verify(uid: Buffer, message: Buffer, tag: Buffer): boolean {
    if (tag.length !== this.tagLength) return false;
    const key = this.keys.macKey(uid);
    try {
      return verifyAesCmac(key, Buffer.concat([uid, message]), tag);
    } finally {
      key.fill(0);
    }
  }
}
