/**
 * Status words of the PC/SC part 3 pseudo-APDUs for storage cards, as ACR122U-class readers answer them.
 * The client turns them into ValidatorErrors; the virtual card produces them.
 */
export const SW = {
  ok: 0x9000,
  /** "No information given": the reader's catch-all; a refused key on GENERAL AUTHENTICATE. */
  failed: 0x6300,
  wrongLength: 0x6700,
  /** Not authenticated for the block's sector, or its access bits forbid the operation with this key. */
  securityNotSatisfied: 0x6982,
  /** The command cannot run now (here: authenticating with an empty key slot). */
  notAllowed: 0x6986,
  functionNotSupported: 0x6a81,
  /** The addressed block does not exist. */
  blockNotFound: 0x6a82,
  wrongP1P2: 0x6b00,
  /** Wrong Le; SW2 is the right one. */
  wrongLe: 0x6c00,
  insNotSupported: 0x6d00,
  claNotSupported: 0x6e00,
} as const;

/** The two status bytes that end every response. */
export function swBytes(sw: number): Buffer {
  return Buffer.from([(sw >> 8) & 0xff, sw & 0xff]);
}

/** SW1 SW2 of a response as one number; 0 when the response is too short to have one. */
export function statusWord(response: Buffer): number {
  if (response.length < 2) return 0;
  return (response[response.length - 2]! << 8) | response[response.length - 1]!;
}

/** "69 82" */
export function formatSw(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, '0').replace(/^(..)/, '$1 ');
}
