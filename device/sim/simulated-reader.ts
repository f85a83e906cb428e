import { BehaviorSubject, distinctUntilChanged, Subject, type Observable } from 'rxjs';
import { ErrorCode, ValidatorError } from '../../src/domain/errors.ts';
import type { IdSource } from '../../src/domain/ids.ts';
import type { Clock } from '../../src/domain/time.ts';
import { silentLogger, type Logger } from '../../src/log/logger.ts';
import type { CardReader, ReaderState } from '../../src/ports/card-reader.ts';
import type { VanishPlan, VirtualClassicCard } from '../mifare/virtual-classic-card.ts';
import type { QomCardCodec } from '../qom-card/qom-card-codec.ts';
import { QomCardPresentation } from '../qom-card/qom-card-presentation.ts';
import { VirtualCardTransport, type Latency } from './virtual-card-transport.ts';

export interface SimulatedReaderOptions {
  /** The configured door id ("front"). */
  readonly id: string;
  /** What state$ reports as the reader's name. */
  readonly name?: string;
  readonly codec: QomCardCodec;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly exchangeTimeoutMs: number;
  /** Per exchange; default 0. */
  readonly latency?: Latency;
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly log?: Logger;
}

export interface PresentOptions {
  /** The card leaves the field mid-conversation (torn writes). */
  readonly vanish?: VanishPlan;
  /** The reader's driver locks up at the card's nth block write and answers nothing more until closed. */
  readonly hangDuringUpdate?: number;
}

/**
 * A contactless reader with virtual cards: every presentation talks APDUs to the card's bytes through the
 * same QomCardPresentation the real reader uses. One card in the field at a time, as with nfc-pcsc.
 */
export class SimulatedReader implements CardReader {
  readonly id: string;
  private readonly state: BehaviorSubject<ReaderState>;
  private readonly presentations = new Subject<QomCardPresentation>();
  private readonly log: Logger;
  private inField: { card: VirtualClassicCard; token: number } | null = null;
  private closed = false;
  private readonly closing: Promise<void>;
  private markClosed = (): void => undefined;

  constructor(private readonly options: SimulatedReaderOptions) {
    this.id = options.id;
    this.log = options.log ?? silentLogger;
    this.state = new BehaviorSubject<ReaderState>(this.ready());
    this.closing = new Promise((resolve) => (this.markClosed = resolve));
  }

  get state$(): Observable<ReaderState> {
    return this.state.pipe(distinctUntilChanged((a, b) => a.kind === b.kind));
  }

  get presentations$(): Observable<QomCardPresentation> {
    return this.presentations.asObservable();
  }

  /**
   * Puts a card into the field (a card already there leaves first) and emits its presentation.
   * Throws ReaderUnavailable while the reader is unplugged or closed.
   */
  present(card: VirtualClassicCard, options: PresentOptions = {}): QomCardPresentation {
    const state = this.state.value;
    if (this.closed) throw new ValidatorError(ErrorCode.ReaderUnavailable, `reader ${this.id} is closed`);
    if (state.kind === 'absent') {
      throw new ValidatorError(ErrorCode.ReaderUnavailable, `reader ${this.id} is absent (${state.reason}): plug it in to present a card`);
    }
    this.remove();
    const token = card.enterField();
    if (options.vanish) card.armVanish(options.vanish);
    this.inField = { card, token };
    const { codec, clock, ids, exchangeTimeoutMs, latency, random, sleep } = this.options;
    const transport = new VirtualCardTransport(card, {
      ...(latency !== undefined && { latency }),
      ...(random && { random }),
      ...(sleep && { sleep }),
      fieldSession: token,
      readerConnected: () => this.state.value.kind === 'ready',
      ...(options.hangDuringUpdate !== undefined && { hang: { duringUpdate: options.hangDuringUpdate, until: this.closing } }),
    });
    const presentation = new QomCardPresentation({
      id: ids.uuid(),
      reader: this.id,
      uid: card.uid,
      detectedAt: clock.monotonic(),
      transport,
      codec,
      exchangeTimeoutMs,
      log: this.log,
    });
    this.log.debug('card presented', { reader: this.id, card: presentation.uid, presentation: presentation.id });
    this.presentations.next(presentation);
    return presentation;
  }

  /** The card in the field, if any, leaves it. */
  remove(): void {
    if (!this.inField) return;
    this.inField.card.leave(this.inField.token);
    this.inField = null;
  }

  /** The USB cable is pulled: the card in the field is lost and state$ reports absent. */
  unplug(reason = 'unplugged'): void {
    this.remove();
    if (!this.closed) this.state.next({ kind: 'absent', reason });
  }

  plug(): void {
    if (!this.closed) this.state.next(this.ready());
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.remove();
      this.closed = true;
      this.markClosed();
      this.state.complete();
      this.presentations.complete();
    }
    return Promise.resolve();
  }

  private ready(): ReaderState {
    return { kind: 'ready', name: this.options.name ?? `Simulated reader ${this.options.id}` };
  }
}
