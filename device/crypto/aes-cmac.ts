import { createCipheriv, timingSafeEqual } from 'node:crypto';

/**
 * AES-CMAC (RFC 4493, NIST SP 800-38B) with AES-128, on Node's own AES. Written out rather than taken from
 * a package: the daemon adds no npm dependency for crypto, and the subkeys are needed on their own by
 * AN10922 key diversification (./an10922.ts), which pads differently from plain CMAC.
 */

export const AES_BLOCK = 16;
export const AES128_KEY_LENGTH = 16;
/** The shortest tag we cut: layout v0 reserves 4 bytes. Anything shorter is not worth calling a MAC. */
export const MIN_TAG_LENGTH = 4;

/** R_128 of RFC 4493 §2.3: the reduction constant of GF(2^128) for the subkey doubling. */
const RB = 0x87;

/** K1 and K2 of RFC 4493 §2.3. They are key material: never log them. */
export interface CmacSubkeys {
  readonly k1: Buffer;
  readonly k2: Buffer;
}

/** The CMAC subkeys of an AES-128 key (RFC 4493 §2.3). */
export function cmacSubkeys(key: Buffer): CmacSubkeys {
  const l = cbcEncrypt(key, Buffer.alloc(AES_BLOCK));
  const k1 = double(l);
  l.fill(0);
  return { k1, k2: double(k1) };
}

/** The 16-byte AES-CMAC of `message` under the AES-128 `key` (RFC 4493 §2.4). */
export function aesCmac(key: Buffer, message: Buffer): Buffer {
  const { k1, k2 } = cmacSubkeys(key);
  const complete = message.length > 0 && message.length % AES_BLOCK === 0;
  // RFC 4493 step 4: a complete last block takes K1; an empty or partial one is padded 10^i and takes K2.
  const tag = complete ? cmacCore(key, message, k1) : cmacCore(key, pad(message, padded(message.length)), k2);
  k1.fill(0);
  k2.fill(0);
  return tag;
}

/** The first `length` bytes of the AES-CMAC (NIST SP 800-38B §5.5: a truncated tag keeps the leftmost bits). */
export function aesCmacTruncated(key: Buffer, message: Buffer, length: number): Buffer {
  checkTagLength(length);
  return aesCmac(key, message).subarray(0, length);
}

/** Whether `tag` is the (possibly truncated) AES-CMAC of `message`, compared in constant time. */
export function verifyAesCmac(key: Buffer, message: Buffer, tag: Buffer): boolean {
  // The tag length is the layout's, never the card's: an empty tag must not verify everything.
  checkTagLength(tag.length);
  return timingSafeEqual(aesCmac(key, message).subarray(0, tag.length), tag);
}

/**
 * The CBC-MAC of whole blocks, the last one XORed with `subkey` first: steps 4 to 6 of RFC 4493 §2.4, shared
 * with AN10922, which pads to two blocks where plain CMAC pads to one.
 */
export function cmacCore(key: Buffer, blocks: Buffer, subkey: Buffer): Buffer {
  if (blocks.length === 0 || blocks.length % AES_BLOCK !== 0) {
    throw new RangeError(`CMAC input must be whole ${AES_BLOCK}-byte blocks, got ${blocks.length} bytes`);
  }
  if (subkey.length !== AES_BLOCK) throw new RangeError(`a CMAC subkey is ${AES_BLOCK} bytes, got ${subkey.length}`);
  const input = Buffer.from(blocks);
  const last = input.length - AES_BLOCK;
  for (let i = 0; i < AES_BLOCK; i++) input[last + i]! ^= subkey[i]!;
  const cipher = cbcEncrypt(key, input);
  input.fill(0);
  const tag = Buffer.from(cipher.subarray(cipher.length - AES_BLOCK));
  cipher.fill(0);
  return tag;
}

/** `data` followed by 0x80 and zeros up to `length` bytes (the 10^i padding of RFC 4493 §2.4). */
export function pad(data: Buffer, length: number): Buffer {
  if (length <= data.length) throw new RangeError(`cannot pad ${data.length} bytes to ${length}`);
  const out = Buffer.alloc(length);
  data.copy(out);
  out[data.length] = 0x80;
  return out;
}

/** The length of `length` bytes padded to whole blocks, with room for the 0x80 byte. */
function padded(length: number): number {
  return (Math.floor(length / AES_BLOCK) + 1) * AES_BLOCK;
}

/** AES-128-CBC with a zero IV and no padding; the last block is the CBC-MAC. */
function cbcEncrypt(key: Buffer, blocks: Buffer): Buffer {
  if (key.length !== AES128_KEY_LENGTH) {
    throw new RangeError(`an AES-128 key is ${AES128_KEY_LENGTH} bytes, got ${key.length}`);
  }
  const cipher = createCipheriv('aes-128-cbc', key, Buffer.alloc(AES_BLOCK)).setAutoPadding(false);
  return Buffer.concat([cipher.update(blocks), cipher.final()]);
}

/** Multiplication by x in GF(2^128): a one-bit left shift, XORing RB in when the top bit falls off. */
function double(block: Buffer): Buffer {
  const out = Buffer.alloc(AES_BLOCK);
  for (let i = 0; i < AES_BLOCK - 1; i++) out[i] = ((block[i]! << 1) | (block[i + 1]! >>> 7)) & 0xff;
  // A mask rather than a branch on the secret top bit.
  const carry = -(block[0]! >>> 7) & RB;
  out[AES_BLOCK - 1] = ((block[AES_BLOCK - 1]! << 1) & 0xff) ^ carry;
  return out;
}

function checkTagLength(length: number): void {
  if (!Number.isInteger(length) || length < MIN_TAG_LENGTH || length > AES_BLOCK) {
    throw new RangeError(`an AES-CMAC tag is ${MIN_TAG_LENGTH} to ${AES_BLOCK} bytes, got ${length}`);
  }
}
