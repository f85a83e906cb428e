import { ErrorCode, ValidatorError } from '../../src/domain/errors.ts';

/**
 * The printed card number, 1 to 19 decimal digits, as compressed numeric (EMV "cn"): two digits a byte,
 * left-aligned, padded with F nibbles to 10 bytes. Leading zeros survive and a hex dump shows the number.
 */
export const CARD_NUMBER_BYTES = 10;
export const CARD_NUMBER_MAX_DIGITS = 19;

/** The 10 bytes of a card number; throws BadRequest when it is not 1 to 19 digits. */
export function encodeCardNumber(number: string): Buffer {
  if (!/^\d+$/.test(number) || number.length > CARD_NUMBER_MAX_DIGITS) {
    throw new ValidatorError(
      ErrorCode.BadRequest,
      `card number "${number}" does not fit: it must be 1 to ${CARD_NUMBER_MAX_DIGITS} decimal digits`,
    );
  }
  return Buffer.from(number.padEnd(CARD_NUMBER_BYTES * 2, 'F'), 'hex');
}

/** The digits, or null when the bytes are not a well-formed padded number. */
export function decodeCardNumber(bytes: Buffer): string | null {
  const m = /^(\d{1,19})(F*)$/.exec(bytes.toString('hex').toUpperCase());
  return m ? m[1]! : null;
}
