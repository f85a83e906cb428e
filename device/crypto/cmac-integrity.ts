import { ErrorCode } from '../../src/domain/errors.ts';
import type { IntegrityCheck } from '../qom-card/integrity.ts';
import { aesCmacTruncated, verifyAesCmac } from './aes-cmac.ts';

/** Where a card's MAC key comes from: the key file today (FileKeyStore), a SAM later. */
export interface MacKeySource {
  /** The AES-128 key that authenticates the purse slots of the card with this UID. */
  macKey(uid: Buffer): Buffer;
}

/**
 * AES-CMAC of UID ‖ message under the card's own MAC key, cut to the 4 bytes layout v0 reserves (body
 * bytes 28–31). The UID is in the message as well as in the key, so the tag covers the same bytes as the
 * CRC-32 it replaces, and stays bound to the card even with a key source that does not diversify.
 *
 * Four bytes give a forger a 1 in 2^32 chance per try, and each try is a card write and a tap; a longer
 * tag needs a new layout version (docs/card-layout.md, "What issue 3 changes").
 */
export class CmacIntegrity implements IntegrityCheck {
  readonly name = 'aes-cmac';
  readonly tagLength = 4;
  /** A MAC that does not match is a forgery or a card from another system, not a torn write. */
  readonly mismatch = ErrorCode.CardInvalid;

  constructor(private readonly keys: MacKeySource) {}

  /** The 4-byte tag of `message` on the card with this UID. */
  tag(uid: Buffer, message: Buffer): Buffer {
    return aesCmacTruncated(this.keys.macKey(uid), Buffer.concat([uid, message]), this.tagLength);
  }

  /** Whether `tag` is this card's tag of `message`, in constant time: what a decoder should call rather than compare tag() itself. */
  verify(uid: Buffer, message: Buffer, tag: Buffer): boolean {
    return tag.length === this.tagLength && verifyAesCmac(this.keys.macKey(uid), Buffer.concat([uid, message]), tag);
  }
}
