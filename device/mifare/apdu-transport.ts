/**
 * One card in one reader's field, as a pipe for APDUs. The same interface fronts the in-process
 * virtual card, a replayed transcript and (later) nfc-pcsc over pcscd.
 *
 * Contract for implementations:
 * - `exchange` resolves with the whole response, data and SW1 SW2; it never interprets status words.
 * - It rejects with ValidatorError(CardRemoved) when the card is not in the field or leaves it during
 *   the exchange; every later exchange rejects the same way.
 * - It rejects with ValidatorError(ReaderTimeout) when no answer came within `timeoutMs`. The command may
 *   or may not have reached the card.
 * - It rejects with ValidatorError(ReaderBusy), at once and without sending, when an exchange is in flight.
 * - It rejects with ValidatorError(ReaderUnavailable) when the reader itself is gone.
 */
export interface ApduTransport {
  exchange(apdu: Buffer, timeoutMs: number): Promise<Buffer>;
}
