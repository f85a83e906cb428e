import { setTimeout as delay } from 'node:timers/promises';
import { ErrorCode, ValidatorError } from '../../src/domain/errors.ts';
import type { ApduTransport } from '../mifare/apdu-transport.ts';
import type { VirtualClassicCard } from '../mifare/virtual-classic-card.ts';

/** Simulated round trip of one exchange: fixed, or uniform in [min, max]. */
export type Latency = number | { readonly min: number; readonly max: number };

export interface VirtualCardTransportOptions {
  /** Default 0: tests run without waiting. */
  readonly latency?: Latency;
  /** Uniform in [0, 1); for the latency's spread. */
  readonly random?: () => number;
  /** Injected so tests can advance a fake clock instead of waiting. */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * The card's field session this transport belongs to (`enterField()`'s token). Once the card has left
   * and entered a field again, this transport's exchanges fail as removed, as a stale card handle would.
   */
  readonly fieldSession?: number;
  /** False once the reader is unplugged: exchanges then fail as the reader's, not the card's. */
  readonly readerConnected?: () => boolean;
  /**
   * The reader's driver locks up at the nth UPDATE BINARY: that exchange never returns, whatever its
   * timeout, until `until` settles (the reader is closed). A transport breaking its own contract, as a
   * wedged USB driver does: what the service watchdog is there for.
   */
  readonly hang?: { readonly duringUpdate: number; readonly until: Promise<void> };
}

/** PC/SC's pseudo-APDU for a MIFARE block write: FF D6 00 block 10 data. */
const UPDATE_BINARY = 0xd6;

/** An in-process reader field: APDUs go straight to a virtual card, after the simulated latency. */
export class VirtualCardTransport implements ApduTransport {
  private inFlight = false;
  private updates = 0;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly card: VirtualClassicCard,
    private readonly options: VirtualCardTransportOptions = {},
  ) {
    this.sleep = options.sleep ?? ((ms) => delay(ms));
  }

  async exchange(apdu: Buffer, timeoutMs: number): Promise<Buffer> {
    if (this.inFlight) throw new ValidatorError(ErrorCode.ReaderBusy, 'an exchange with this card is already in flight');
    this.inFlight = true;
    try {
      this.checkReader();
      await this.hangIfDue(apdu);
      const latency = this.latency();
      if (latency > timeoutMs) {
        // The answer would come too late: the reader gives up, and the card never sees the command.
        await this.sleep(timeoutMs);
        throw new ValidatorError(ErrorCode.ReaderTimeout, `the card did not answer within ${timeoutMs} ms`);
      }
      if (latency > 0) await this.sleep(latency);
      this.checkReader();
      const session = this.options.fieldSession;
      if (session !== undefined && session !== this.card.fieldSession) {
        throw new ValidatorError(ErrorCode.CardRemoved, 'the card left the field since this presentation began');
      }
      return this.card.transmit(apdu);
    } finally {
      this.inFlight = false;
    }
  }

  private async hangIfDue(apdu: Buffer): Promise<void> {
    const hang = this.options.hang;
    if (!hang || apdu[1] !== UPDATE_BINARY || ++this.updates !== hang.duringUpdate) return;
    await hang.until;
    throw new ValidatorError(ErrorCode.ReaderUnavailable, 'the reader was closed while its driver hung');
  }

  private checkReader(): void {
    if (this.options.readerConnected && !this.options.readerConnected()) {
      throw new ValidatorError(ErrorCode.ReaderUnavailable, 'the reader was unplugged');
    }
  }

  private latency(): number {
    const l = this.options.latency ?? 0;
    if (typeof l === 'number') return l;
    return l.min + (this.options.random ?? Math.random)() * (l.max - l.min);
  }
}
