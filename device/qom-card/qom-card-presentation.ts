import type { CardData, PurseUpdate } from '../../src/domain/card.ts';
import { ErrorCode, ValidatorError } from '../../src/domain/errors.ts';
import type { Deadline } from '../../src/domain/time.ts';
import { silentLogger, type Logger } from '../../src/log/logger.ts';
import type { CardPresentation } from '../../src/ports/card-reader.ts';
import type { ApduTransport } from '../mifare/apdu-transport.ts';
import { ClassicClient } from '../mifare/classic-client.ts';
import { DeadlineTransport } from './deadline-transport.ts';
import type { CardRead, QomCardCodec } from './qom-card-codec.ts';

export interface QomCardPresentationOptions {
  readonly id: string;
  readonly reader: string;
  /** From the reader's anticollision (nfc-pcsc's card event, or the virtual card). */
  readonly uid: Buffer;
  readonly detectedAt: number;
  /** Any transport to this one card: in-process virtual card today, nfc-pcsc later. */
  readonly transport: ApduTransport;
  readonly codec: QomCardCodec;
  /** The longest one exchange may take, before the deadline shortens it. */
  readonly exchangeTimeoutMs: number;
  readonly log?: Logger;
}

/**
 * A Qom Card in the field, over any ApduTransport: the class the nfc-pcsc adapter reuses.
 * Keeps what `read` saw, so that `writePurse` knows the older slot and the info its check covers.
 */
export class QomCardPresentation implements CardPresentation {
  readonly id: string;
  readonly reader: string;
  readonly uid: string;
  readonly detectedAt: number;
  private readonly transport: DeadlineTransport;
  private readonly client: ClassicClient;
  private readonly log: Logger;
  private busy = false;
  private last: CardRead | null = null;

  constructor(private readonly options: QomCardPresentationOptions) {
    this.id = options.id;
    this.reader = options.reader;
    this.uid = options.uid.toString('hex').toUpperCase();
    this.detectedAt = options.detectedAt;
    this.log = options.log ?? silentLogger;
    this.transport = new DeadlineTransport(options.transport);
    this.client = new ClassicClient(this.transport, { exchangeTimeoutMs: options.exchangeTimeoutMs, log: this.log });
  }

  /** APDU exchanges this presentation has attempted. */
  get exchanges(): number {
    return this.client.exchanges;
  }

  read(deadline: Deadline): Promise<CardData> {
    return this.exclusive(deadline, async () => {
      const before = this.client.exchanges;
      this.last = null;
      this.last = await this.options.codec.readCard(this.client, this.options.uid);
      this.log.debug('card read', { card: this.uid, slot: this.last.current, counter: this.last.data.counter, exchanges: this.client.exchanges - before });
      return this.last.data;
    });
  }

  writePurse(update: PurseUpdate, deadline: Deadline): Promise<void> {
    return this.exclusive(deadline, async () => {
      const current = this.last;
      if (!current) {
        throw new ValidatorError(ErrorCode.InvalidState, 'writePurse needs a successful read first (and again after a failed write)');
      }
      const before = this.client.exchanges;
      // Until the write is confirmed the card holds either state; only a new read can tell which.
      this.last = null;
      this.last = await this.options.codec.writePurse(this.client, current, update);
      this.log.debug('purse written', { card: this.uid, slot: this.last.current, counter: update.counter, exchanges: this.client.exchanges - before });
    });
  }

  private async exclusive<T>(deadline: Deadline, work: () => Promise<T>): Promise<T> {
    if (this.busy) throw new ValidatorError(ErrorCode.ReaderBusy, `card ${this.uid}: another read or write is still in progress`);
    this.busy = true;
    this.transport.deadline = deadline;
    try {
      return await work();
    } finally {
      this.transport.deadline = null;
      this.busy = false;
    }
  }
}
