import { crc32 } from 'node:zlib';
import { ErrorCode } from '../../src/domain/errors.ts';

/**
 * The check that makes a purse slot self-validating. v0 is CRC-32, which catches torn and corrupted
 * writes; issue 3 swaps in AES-CMAC behind the same interface, which also catches forged ones.
 */
export interface IntegrityCheck {
  readonly name: string;
  /** Bytes of the tag; layout v0 reserves 4. */
  readonly tagLength: number;
  /** What a mismatch means: corruption for a checksum (CardUnreadable), forgery for a MAC (CardInvalid). */
  readonly mismatch: ErrorCode.CardUnreadable | ErrorCode.CardInvalid;
  /** The tag of `message` on the card with this UID. */
  tag(uid: Buffer, message: Buffer): Buffer;
}

/** CRC-32 (IEEE 802.3, as zlib and PNG use it) of UID ‖ message, stored big-endian. */
export const crc32Integrity: IntegrityCheck = {
  name: 'crc32',
  tagLength: 4,
  mismatch: ErrorCode.CardUnreadable,
  tag(uid, message) {
    const tag = Buffer.alloc(4);
    tag.writeUInt32BE(crc32(message, crc32(uid)));
    return tag;
  },
};
