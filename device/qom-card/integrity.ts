/**
 * The check that authenticates a purse slot: AES-CMAC under the card's own MAC key
 * (device/crypto/cmac-integrity.ts) today, a SAM later, behind this interface.
 */
export interface IntegrityCheck {
  readonly name: string;
  /** Bytes of the tag as the card stores it; layout v1 has room for 4. */
  readonly tagLength: number;
  /** The tag of `message` on the card with this UID. */
  tag(uid: Buffer, message: Buffer): Buffer;
  /** Whether `tag` is the tag of `message` on this card, compared in constant time: what a decoder calls. */
  verify(uid: Buffer, message: Buffer, tag: Buffer): boolean;
}
