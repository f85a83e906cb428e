import { ErrorCode, ValidatorError } from '../../src/domain/errors.ts';
import { silentLogger, type Logger } from '../../src/log/logger.ts';
import type { ApduTransport } from '../mifare/apdu-transport.ts';
import { isKnownTransmitFailure, transmitFailure } from './pcsc-errors.ts';

/** nfc-pcsc's `reader.transmit`: may throw at once, resolves with the raw response. */
export type Transmit = (apdu: Buffer, responseMaxLength: number) => Promise<Buffer>;

/** Room for the longest short-APDU response: 256 data bytes and SW1 SW2. */
const RESPONSE_MAX = 258;

/**
 * One card on one PC/SC reader, as an ApduTransport (its contract is in apdu-transport.ts).
 * A PC/SC transmit cannot be cancelled: when one times out, its late answer is dropped, and the card
 * takes no new command until that transmit has settled (ReaderBusy), so answers never cross.
 * An empty response is vpcd's (and a reader driver's) way of saying the card went mid-exchange.
 */
export class PcscTransport implements ApduTransport {
  private count = 0;
  private inFlight = false;
  private abandoned: Promise<unknown> | null = null;
  private ended: { readonly code: ErrorCode; readonly message: string } | null = null;
  private abort: ((e: ValidatorError) => void) | null = null;

  constructor(
    private readonly transmit: Transmit,
    private readonly reader: string,
    private readonly log: Logger = silentLogger,
  ) {}

  /** Exchanges attempted on this card, refused ones not counted. */
  get exchanges(): number {
    return this.count;
  }

  /**
   * The card left the field ('card.off'), or its reader went away: the exchange in flight, and every
   * later one, reject at once with this code.
   */
  end(code: ErrorCode, message: string): void {
    this.ended ??= { code, message };
    this.abort?.(new ValidatorError(code, message));
  }

  async exchange(apdu: Buffer, timeoutMs: number): Promise<Buffer> {
    if (this.ended) throw new ValidatorError(this.ended.code, this.ended.message);
    if (this.inFlight) throw new ValidatorError(ErrorCode.ReaderBusy, `an exchange with the card on reader ${this.reader} is already in flight`);
    if (this.abandoned) {
      throw new ValidatorError(ErrorCode.ReaderBusy, `the card on reader ${this.reader} has not yet answered an exchange that timed out`);
    }
    this.inFlight = true;
    this.count += 1;
    const sent = this.send(apdu);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await new Promise<Buffer>((resolve, reject) => {
        this.abort = reject;
        timer = setTimeout(() => {
          this.abandon(sent);
          reject(new ValidatorError(ErrorCode.ReaderTimeout, `the card on reader ${this.reader} did not answer within ${timeoutMs} ms`));
        }, timeoutMs);
        sent.then(resolve, reject);
      });
    } finally {
      clearTimeout(timer);
      this.abort = null;
      this.inFlight = false;
    }
  }

  /** The transmit, its failures as ValidatorErrors; never throws synchronously. */
  private async send(apdu: Buffer): Promise<Buffer> {
    let response: Buffer;
    try {
      response = await this.transmit(apdu, RESPONSE_MAX);
    } catch (e) {
      if (this.ended) throw new ValidatorError(this.ended.code, this.ended.message, { cause: e });
      if (!isKnownTransmitFailure(e)) this.log.warn('unexpected PC/SC transmit failure', { reader: this.reader, error: (e as Error).message });
      const failure = transmitFailure(e, this.reader);
      if (failure.code !== ErrorCode.ReaderTimeout) this.end(failure.code, failure.message);
      throw failure;
    }
    if (response.length === 0) {
      const message = `the card left reader ${this.reader} during an exchange (no answer)`;
      this.end(ErrorCode.CardRemoved, message);
      throw new ValidatorError(ErrorCode.CardRemoved, message);
    }
    return response;
  }

  private abandon(sent: Promise<Buffer>): void {
    const settled = sent.then(
      () => undefined,
      () => undefined,
    );
    this.abandoned = settled;
    void settled.then(() => {
      if (this.abandoned === settled) this.abandoned = null;
      this.log.debug('late answer of a timed-out exchange dropped', { reader: this.reader });
    });
  }
}
