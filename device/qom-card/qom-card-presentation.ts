import type { CardData, PurseUpdate } from '../../src/domain/card.ts';
import { ErrorCode, ValidatorError } from '../../src/domain/errors.ts';
import type { Deadline } from '../../src/domain/time.ts';
import { silentLogger, type Logger } from '../../src/log/logger.ts';
import type { CardPresentation } from '../../src/ports/card-reader.ts';
import type { ApduTransport } from '../mifare/apdu-transport.ts';
import { ClassicClient } from '../mifare/classic-client.ts';
import { DeadlineTransport } from './deadline-transport.ts';
import type { CardInspection } from './card-inspection.ts';
import type { CardIssue, CardRead, QomCardCodec } from './qom-card-codec.ts';

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
 * A Qom Card in the field, over any ApduTransport: the class the nfc-pcsc adapter and the depot reuse.
 * Keeps what `read` saw, so that a purse write knows the older slot and the info its MAC covers.
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
      const { current, data, skipped } = this.last;
      if (skipped.length > 0) this.log.warn('newer purse slot passed over: a torn write', { card: this.uid, slot: current, counter: data.counter, skipped });
      this.log.debug('card read', { card: this.uid, slot: current, counter: data.counter, exchanges: this.client.exchanges - before });
      return data;
    });
  }

  /** A debit or a top-up decided from the last read; the card keeps its status. */
  writePurse(update: PurseUpdate, deadline: Deadline): Promise<void> {
    return this.purseWrite(deadline, 'purse written', (current) => this.options.codec.writePurse(this.client, current, update));
  }

  /** Blocks the card read last: counter + 1, balance and last trip unchanged. */
  block(deadline: Deadline): Promise<void> {
    return this.purseWrite(deadline, 'card blocked', (current) => this.options.codec.block(this.client, current));
  }

  /** Everything on the card, decoded as far as it goes (depot). */
  inspect(deadline: Deadline): Promise<CardInspection> {
    return this.exclusive(deadline, () => this.options.codec.inspect(this.client, this.options.uid));
  }

  /** Personalizes this card, which must be blank (depot). */
  personalize(card: CardIssue, deadline: Deadline): Promise<void> {
    return this.exclusive(deadline, async () => {
      this.last = null;
      await this.options.codec.personalize(this.client, this.options.uid, card);
      this.log.info('card personalized', { card: this.uid, number: card.number });
    });
  }

  private purseWrite(deadline: Deadline, what: string, write: (current: CardRead) => Promise<CardRead>): Promise<void> {
    return this.exclusive(deadline, async () => {
      const current = this.last;
      if (!current) {
        throw new ValidatorError(ErrorCode.InvalidState, 'a purse write needs a successful read first (and again after a failed write)');
      }
      const before = this.client.exchanges;
      // Until the write is confirmed the card holds either state; only a new read can tell which.
      this.last = null;
      this.last = await write(current);
      this.log.debug(what, { card: this.uid, slot: this.last.current, counter: this.last.data.counter, exchanges: this.client.exchanges - before });
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
