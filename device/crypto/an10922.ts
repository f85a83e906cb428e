import { AES_BLOCK, cmacCore, cmacSubkeys, pad } from './aes-cmac.ts';

/**
 * AES-128 key diversification as NXP AN10922 §2.2 describes it: the diversified key is a CMAC of
 * 0x01 ‖ M under the master key, where M is up to 31 bytes (the AN's example: UID ‖ AID ‖ system
 * identifier). It is not plain AES-CMAC of 0x01 ‖ M: the AN always pads to 32 bytes, so an input shorter
 * than 31 bytes is padded to two blocks and takes K2, where RFC 4493 would pad to one block, or not pad a
 * 16-byte input at all and take K1. libfreefare shipped the plain-CMAC reading until its issue #91; the
 * AN's own 17-byte example cannot tell the two apart, and the AN10957 7-byte example can.
 */

/** AN10922's div constant for an AES-128 key (AES-192 uses 0x11/0x12, 2TDEA 0x21/0x22, 3TDEA 0x31–0x33). */
export const DIV_CONSTANT_AES128 = 0x01;
/** The longest M: with the div constant it fills the two CMAC blocks exactly. */
export const MAX_DIVERSIFICATION_INPUT = 2 * AES_BLOCK - 1;

/** The AES-128 key AN10922 diversifies from `masterKey` for the input `m` (1 to 31 bytes). */
export function diversifyAes128(masterKey: Buffer, m: Buffer): Buffer {
  if (m.length < 1 || m.length > MAX_DIVERSIFICATION_INPUT) {
    throw new RangeError(`AN10922 diversification input must be 1 to ${MAX_DIVERSIFICATION_INPUT} bytes, got ${m.length}`);
  }
  const d = Buffer.concat([Buffer.of(DIV_CONSTANT_AES128), m]);
  const { k1, k2 } = cmacSubkeys(masterKey);
  // AN10922 §2.2: D is padded whenever it is shorter than 32 bytes, and a padded D takes K2.
  const key = d.length === 2 * AES_BLOCK ? cmacCore(masterKey, d, k1) : cmacCore(masterKey, pad(d, 2 * AES_BLOCK), k2);
  k1.fill(0);
  k2.fill(0);
  return key;
}
