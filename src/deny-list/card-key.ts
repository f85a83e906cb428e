/**
 * A card number as one unsigned 64-bit key, held as two 32-bit halves so that no BigInt is made per card.
 *
 * Leading zeros are significant ("0042" and "42" are different cards), so the key is not the number
 * itself: the numbers of L digits take the range [B(L), B(L) + 10^L), where B(1) = 0 and
 * B(L+1) = B(L) + 10^L. Every string of 1 to 19 digits gets its own key, shorter numbers sort first, and
 * the largest key, B(19) + 10^19 − 1 ≈ 1.11·10^19, fits below 2^64 ≈ 1.84·10^19.
 */

export const MAX_CARD_DIGITS = 19;
const TWO_32 = 4_294_967_296;

/** B(L) for L = 0 … 19 as [hi, lo] halves (index 0 unused). */
const BASE_HI = new Float64Array(MAX_CARD_DIGITS + 1);
const BASE_LO = new Float64Array(MAX_CARD_DIGITS + 1);
{
  let base = 0n;
  for (let length = 1; length <= MAX_CARD_DIGITS; length++) {
    BASE_HI[length] = Number(base >> 32n);
    BASE_LO[length] = Number(base & 0xffff_ffffn);
    base += 10n ** BigInt(length);
  }
}

/** Where a key is written: [hi, lo], each a whole number below 2^32. */
export type KeyHalves = Float64Array;

/** A two-slot buffer for keyOf and keyOfBytes. */
export function keyHalves(): KeyHalves {
  return new Float64Array(2);
}

/** Writes the key of a card number into `out`; false (and `out` unchanged) when it is not 1 to 19 digits. */
export function keyOf(cardNumber: string, out: KeyHalves): boolean {
  const length = cardNumber.length;
  if (length < 1 || length > MAX_CARD_DIGITS) return false;
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < length; i++) {
    const digit = cardNumber.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return false;
    lo = lo * 10 + digit;
    const carry = Math.floor(lo / TWO_32);
    lo -= carry * TWO_32;
    hi = hi * 10 + carry;
  }
  return finish(hi, lo, length, out);
}

/** keyOf for the ASCII digits bytes[start … end) of a buffer, without making a string (ten million a list). */
export function keyOfBytes(bytes: Uint8Array, start: number, end: number, out: KeyHalves): boolean {
  const length = end - start;
  if (length < 1 || length > MAX_CARD_DIGITS) return false;
  let hi = 0;
  let lo = 0;
  for (let i = start; i < end; i++) {
    const digit = bytes[i]! - 48;
    if (digit < 0 || digit > 9) return false;
    lo = lo * 10 + digit;
    hi *= 10;
    // Below 2^32 for the first nine digits: only then is there a carry to take.
    if (lo >= TWO_32) {
      const carry = Math.floor(lo / TWO_32);
      lo -= carry * TWO_32;
      hi += carry;
    }
  }
  return finish(hi, lo, length, out);
}

function finish(hi: number, lo: number, length: number, out: KeyHalves): boolean {
  lo += BASE_LO[length] ?? 0;
  if (lo >= TWO_32) {
    lo -= TWO_32;
    hi += 1;
  }
  out[0] = hi + (BASE_HI[length] ?? 0);
  out[1] = lo;
  return true;
}

/** The card number of a key (for messages and listings; never on the tap path). */
export function cardNumberOfKey(hi: number, lo: number): string {
  const key = (BigInt(hi) << 32n) | BigInt(lo);
  let base = 0n;
  for (let length = 1; length <= MAX_CARD_DIGITS; length++) {
    const size = 10n ** BigInt(length);
    if (key < base + size) return String(key - base).padStart(length, '0');
    base += size;
  }
  throw new RangeError(`key ${key} is beyond every card number`);
}
