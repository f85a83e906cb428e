import { ErrorCode, ValidatorError } from '../../src/domain/errors.ts';

/** The PC/SC return codes this edge tells apart (pcsclite.h). */
export const PCSC = {
  E_CANCELLED: 0x80100002,
  E_INVALID_HANDLE: 0x80100003,
  E_UNKNOWN_READER: 0x80100009,
  E_TIMEOUT: 0x8010000a,
  E_NO_SMARTCARD: 0x8010000c,
  F_COMM_ERROR: 0x80100013,
  E_NOT_TRANSACTED: 0x80100016,
  E_READER_UNAVAILABLE: 0x80100017,
  E_NO_SERVICE: 0x8010001d,
  E_SERVICE_STOPPED: 0x8010001e,
  W_UNRESPONSIVE_CARD: 0x80100066,
  W_UNPOWERED_CARD: 0x80100067,
  W_RESET_CARD: 0x80100068,
  W_REMOVED_CARD: 0x80100069,
} as const;

/** The card is no longer there to talk to, or the exchange with it broke off: "try again". */
const CARD_GONE: ReadonlySet<number> = new Set([
  PCSC.E_NO_SMARTCARD,
  PCSC.E_NOT_TRANSACTED,
  PCSC.W_UNRESPONSIVE_CARD,
  PCSC.W_UNPOWERED_CARD,
  PCSC.W_RESET_CARD,
  PCSC.W_REMOVED_CARD,
]);

/** The reader or pcscd is gone: "out of service" until it returns. */
const READER_GONE: ReadonlySet<number> = new Set([
  PCSC.E_INVALID_HANDLE,
  PCSC.E_UNKNOWN_READER,
  PCSC.F_COMM_ERROR,
  PCSC.E_READER_UNAVAILABLE,
  PCSC.E_NO_SERVICE,
  PCSC.E_SERVICE_STOPPED,
]);

/** nfc-pcsc's code when it has no card connection (its TransmitError). */
const NFC_NOT_CONNECTED = 'card_not_connected';

/**
 * The PC/SC return code inside an error from nfc-pcsc or @pokusew/pcsclite, or null. pcsclite reports
 * codes only in the message ("SCardTransmit error: Card was removed.(0x80100069)"), and nfc-pcsc wraps
 * that error in `previous`: this is the one place that reads message text.
 */
export function pcscCode(e: unknown): number | null {
  for (let cause = e, depth = 0; cause instanceof Error && depth < 4; depth++) {
    const m = /\(0x([0-9a-fA-F]{8})\)/.exec(cause.message);
    if (m) return Number.parseInt(m[1]!, 16);
    cause = (cause as { previous?: unknown }).previous ?? cause.cause;
  }
  return null;
}

/**
 * A failed transmit as a ValidatorError: CardRemoved when the card went (or the exchange broke off,
 * which leaves a write just as uncertain), ReaderUnavailable when the reader or pcscd went, ReaderTimeout
 * when PC/SC itself timed out. A code this edge does not know counts as the card's: the exchange did
 * not complete, and "try again" is the safe answer to that.
 */
export function transmitFailure(e: unknown, reader: string): ValidatorError {
  const code = pcscCode(e);
  const what = describe(e);
  if (code !== null && READER_GONE.has(code)) {
    return new ValidatorError(ErrorCode.ReaderUnavailable, `reader ${reader} is unavailable (${what})`, { cause: e });
  }
  if (code === PCSC.E_TIMEOUT) {
    return new ValidatorError(ErrorCode.ReaderTimeout, `reader ${reader} timed out talking to the card (${what})`, { cause: e });
  }
  if ((code !== null && CARD_GONE.has(code)) || isNotConnected(e)) {
    return new ValidatorError(ErrorCode.CardRemoved, `the card left reader ${reader} (${what})`, { cause: e });
  }
  return new ValidatorError(ErrorCode.CardRemoved, `the exchange with the card on reader ${reader} broke off (${what})`, { cause: e });
}

/** Whether a failure code is one transmitFailure knows (the others are worth a warning in the log). */
export function isKnownTransmitFailure(e: unknown): boolean {
  const code = pcscCode(e);
  return isNotConnected(e) || (code !== null && (READER_GONE.has(code) || CARD_GONE.has(code) || code === PCSC.E_TIMEOUT));
}

function isNotConnected(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  // nfc-pcsc's own check, and pcsclite's JS-side one ("Card Reader not connected"), both before any I/O.
  return (e as { code?: unknown }).code === NFC_NOT_CONNECTED || /not connected/i.test(e.message);
}

function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const previous = (e as { previous?: unknown }).previous;
  return previous instanceof Error ? `${e.message}: ${previous.message}` : e.message;
}
