import type { Observable } from 'rxjs';
import { describeError, ErrorCode, isValidatorError, ValidatorError } from '../../src/domain/errors.ts';
import type { IdSource } from '../../src/domain/ids.ts';
import type { Clock } from '../../src/domain/time.ts';
import { silentLogger, type Logger } from '../../src/log/logger.ts';
import type { CardReader } from '../../src/ports/card-reader.ts';
import type { QomCardCodec } from '../qom-card/qom-card-codec.ts';
import { QomCardPresentation } from '../qom-card/qom-card-presentation.ts';
import { readUid } from './card-uid.ts';
import { createNfc, type Nfc, type NfcFactory, type NfcReader } from './nfc-pcsc.ts';
import { PcscDoor, type Binding } from './pcsc-door.ts';
import { PCSC, pcscCode } from './pcsc-errors.ts';
import { PcscTransport } from './pcsc-transport.ts';
import { defaultPcscdSocket, pcscdAccepts, pcscdSocketIdentity } from './pcscd-socket.ts';
import { ambiguityProblem, readerConfigProblem, readersMatching, type PcscReaderConfig } from './reader-match.ts';

/** A door's CardReader; its presentations are QomCardPresentations (they count their exchanges). */
export interface PcscCardReader extends CardReader {
  readonly presentations$: Observable<QomCardPresentation>;
}

export interface PcscReadersOptions {
  /** The doors, in order: a PC/SC reader goes to the first one whose pattern matches its name. */
  readonly readers: readonly PcscReaderConfig[];
  readonly codec: QomCardCodec;
  readonly clock: Clock;
  readonly ids: IdSource;
  /** The longest one exchange may take, before the tap's deadline shortens it. */
  readonly exchangeTimeoutMs: number;
  /** How often to try pcscd again while it is down, and to check that it is the same pcscd; default 1000 ms. */
  readonly retryIntervalMs?: number;
  /** pcscd's socket; default $PCSCLITE_CSOCK_NAME or /run/pcscd/pcscd.comm. */
  readonly pcscdSocket?: string;
  /** Default: nfc-pcsc. */
  readonly createNfc?: NfcFactory;
  readonly log?: Logger;
}

/** One NFC object and every PC/SC reader it announced. A dead pcscd kills it for good: it is replaced. */
interface Generation {
  readonly serial: number;
  readonly nfc: Nfc;
  readonly readers: Set<NfcReader>;
  /** The pcscd it talks to (pcscdSocketIdentity). */
  readonly pcscd: string | null;
  retired: boolean;
}

/** A pcscd that was lost, until its socket is gone or replaced (a dying pcscd still answers for a while). */
interface Loss {
  readonly pcscd: string | null;
  readonly at: number;
}

/** The longest to wait for a lost pcscd's socket to go before connecting to it again anyway. */
const LOSS_SETTLE_MS = 5_000;

/** The errors a pcscd that went away gives every reader; the connection's own loss is logged once. */
const PCSCD_GONE: ReadonlySet<number | null> = new Set([PCSC.F_COMM_ERROR, PCSC.E_NO_SERVICE, PCSC.E_SERVICE_STOPPED]);

/**
 * The real contactless readers: one nfc-pcsc NFC object over pcscd, and one CardReader per configured
 * door. Each card becomes a QomCardPresentation whose APDUs go through `reader.transmit`.
 *
 * - A door is `absent` while no PC/SC reader matches it (unplugged, pcscd down) and `ready` again as
 *   soon as one does: pcscd announces hotplugged readers itself.
 * - An NFC object never outlives its pcscd. When pcscd dies, nfc-pcsc's readers emit 'error' (RPC
 *   transport error) and 'end', and the NFC object usually emits 'error', but not always: its reader-list
 *   thread can exit without a word (a race in @pokusew/pcsclite), and a pcscd shutting down still answers
 *   new clients. So a lost pcscd is recognised by any of: the NFC 'error', a reader's "pcscd gone" error,
 *   or pcscd's socket file changing (checked every `retryIntervalMs`). The NFC object is then closed and a
 *   new one made once the old pcscd's socket is gone and a pcscd accepts.
 * - Nothing from nfc-pcsc or pcsclite escapes as an exception: failures become ValidatorErrors on the
 *   presentation, or log lines.
 */
export class PcscReaders {
  readonly readers: readonly PcscCardReader[];
  private readonly doors: readonly PcscDoor[];
  private readonly log: Logger;
  private readonly retryMs: number;
  private readonly socketPath: string;
  private generation: Generation | null = null;
  private serial = 0;
  private timer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private connecting: Promise<void> | null = null;
  private loss: Loss | null = null;
  private readonly disposals = new Set<Promise<void>>();
  /** pcscd's absence has been logged; the next successful connection says so. */
  private outage = false;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: PcscReadersOptions) {
    const problem = readerConfigProblem(options.readers);
    if (problem) throw new ValidatorError(ErrorCode.ConfigInvalid, problem);
    this.log = options.log ?? silentLogger;
    this.retryMs = options.retryIntervalMs ?? 1_000;
    this.socketPath = options.pcscdSocket ?? defaultPcscdSocket();
    this.doors = options.readers.map(
      (config) => new PcscDoor(config, { kind: 'absent', reason: 'connecting to pcscd' }, (door) => this.closeDoor(door)),
    );
    this.readers = this.doors;
    this.schedule(0);
  }

  /** The CardReader of a configured door; throws NotFound naming the configured ids. */
  reader(id: string): PcscCardReader {
    const door = this.doors.find((d) => d.id === id);
    if (!door) throw new ValidatorError(ErrorCode.NotFound, `no reader "${id}" is configured (configured: ${this.doors.map((d) => d.id).join(', ')})`);
    return door;
  }

  /** Stops everything: streams complete, nfc-pcsc is closed, no timer or handle is left. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    for (const door of this.doors) {
      this.unbind(door, 'closed');
      door.finish();
    }
    if (this.generation) this.retire(this.generation);
    await this.connecting;
    while (this.disposals.size > 0) await Promise.all([...this.disposals]);
    this.log.debug('PC/SC readers closed');
  }

  private async closeDoor(door: PcscDoor): Promise<void> {
    this.unbind(door, 'closed');
    door.finish();
    if (this.doors.every((d) => d.closed)) await this.close();
  }

  private get isClosed(): boolean {
    return this.closing !== null;
  }

  private schedule(delayMs: number): void {
    if (this.isClosed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connecting = this.connect().finally(() => {
        this.connecting = null;
      });
    }, delayMs);
  }

  /** Makes a new NFC object once pcscd accepts connections; otherwise tries again later. */
  private async connect(): Promise<void> {
    if (this.isClosed || this.generation) return;
    if (this.loss && pcscdSocketIdentity(this.socketPath) === this.loss.pcscd && this.options.clock.monotonic() - this.loss.at < LOSS_SETTLE_MS) {
      this.schedule(this.retryMs);
      return;
    }
    const up = await pcscdAccepts(this.socketPath);
    if (this.isClosed) return;
    if (!up) {
      if (!this.outage) this.log.warn(`pcscd does not answer on ${this.socketPath}; trying every ${this.retryMs} ms`);
      this.outage = true;
      this.everyDoorAbsent(`pcscd is not running (nothing answers on ${this.socketPath})`);
      this.schedule(this.retryMs);
      return;
    }
    const pcscd = pcscdSocketIdentity(this.socketPath);
    let nfc: Nfc;
    try {
      nfc = (this.options.createNfc ?? createNfc)();
    } catch (e) {
      this.log.warn(`cannot open PC/SC (${describeError(e)}); trying every ${this.retryMs} ms`);
      this.outage = true;
      this.everyDoorAbsent(`cannot open PC/SC: ${describeError(e)}`);
      this.schedule(this.retryMs);
      return;
    }
    const generation: Generation = { serial: ++this.serial, nfc, readers: new Set(), pcscd, retired: false };
    this.generation = generation;
    this.loss = null;
    // Listened to from the first moment to the last: an 'error' without a listener would throw.
    nfc.on('error', (e: unknown) => this.lost(generation, `lost the connection to pcscd (${describeError(e)})`));
    nfc.on('reader', (reader: NfcReader) => this.guard('reader', () => this.onReader(generation, reader)));
    this.watchdog ??= setInterval(() => this.checkPcscd(), this.retryMs);
    this.log.info(this.outage ? 'connected to pcscd again' : 'connected to pcscd', { generation: generation.serial });
    this.outage = false;
    for (const door of this.doors) {
      if (!door.binding) door.setState({ kind: 'absent', reason: `no PC/SC reader matches ${String(door.pattern)}` });
    }
  }

  /** The watchdog: a pcscd replaced or gone without nfc-pcsc noticing. */
  private checkPcscd(): void {
    const generation = this.generation;
    if (!generation) return;
    const now = pcscdSocketIdentity(this.socketPath);
    if (now !== generation.pcscd) this.lost(generation, now === null ? 'pcscd went away (its socket is gone)' : 'pcscd was restarted');
  }

  /** The generation's pcscd is gone: retire it, and connect again once a pcscd is back. */
  private lost(generation: Generation, why: string): void {
    if (generation.retired) {
      // Closing an NFC object makes it report "Command cancelled"; a dying one may say more.
      this.log.debug('PC/SC event from a closed connection', { generation: generation.serial, event: why });
      return;
    }
    this.log.warn(`${why}; reconnecting, trying every ${this.retryMs} ms`, { generation: generation.serial });
    this.outage = true;
    this.loss = { pcscd: generation.pcscd, at: this.options.clock.monotonic() };
    this.retire(generation, why);
    this.schedule(0);
  }

  private onReader(generation: Generation, reader: NfcReader): void {
    generation.readers.add(reader);
    reader.on('error', (e: unknown) => {
      if (!PCSCD_GONE.has(pcscCode(e))) {
        this.log.warn('PC/SC reader error', { pcscReader: reader.name, error: describeError(e) });
        return;
      }
      this.log.debug('PC/SC reader error', { pcscReader: reader.name, error: describeError(e) });
      this.lost(generation, `lost the connection to pcscd (${describeError(e)})`);
    });
    if (generation.retired) {
      this.dispose(() => reader.close());
      return;
    }
    reader.autoProcessing = false;
    reader.on('end', () => this.guard('end', () => this.onReaderEnd(generation, reader)));
    reader.on('card', () => this.guard('card', () => this.onCard(generation, reader)));
    reader.on('card.off', () => this.guard('card.off', () => this.onCardOff(generation, reader)));
    this.bind(generation, reader);
  }

  /** Gives a PC/SC reader to the first door whose pattern matches it, if that door is free. */
  private bind(generation: Generation, reader: NfcReader): void {
    const matches = readersMatching(reader.name, this.doors);
    const [door, ...others] = matches;
    if (!door) {
      this.log.info(`PC/SC reader "${reader.name}" matches no configured reader; ignored`);
      return;
    }
    if (others.length > 0) {
      const problem = ambiguityProblem(reader.name, matches);
      this.log.error(problem);
      for (const other of others) if (!other.binding) other.setState({ kind: 'absent', reason: problem });
    }
    if (door.closed) return;
    if (door.binding) {
      this.log.warn(`PC/SC reader "${reader.name}" also matches reader ${door.id}, which uses "${door.binding.reader.name}"; ignored`);
      return;
    }
    door.binding = { reader, generation: generation.serial, card: null };
    door.setState({ kind: 'ready', name: reader.name });
    this.log.info(`reader ${door.id} ready`, { pcscReader: reader.name });
  }

  private onReaderEnd(generation: Generation, reader: NfcReader): void {
    generation.readers.delete(reader);
    // Its status thread has ended; joining it cannot happen inside its own event (pcsclite holds a lock).
    this.dispose(() => reader.close());
    if (generation.retired) return;
    const door = this.doorOf(generation, reader);
    if (!door) return;
    this.unbind(door, `PC/SC reader "${reader.name}" disappeared`);
    for (const other of generation.readers) {
      if (!this.doors.some((d) => d.binding?.reader === other) && readersMatching(other.name, [door]).length > 0) {
        this.bind(generation, other);
        if (door.binding) break;
      }
    }
  }

  private onCard(generation: Generation, reader: NfcReader): void {
    const door = this.doorOf(generation, reader);
    if (!door?.binding) return;
    const binding = door.binding;
    binding.card?.end(ErrorCode.CardRemoved, `another card entered reader ${door.id}`);
    const detectedAt = this.options.clock.monotonic();
    const transport = new PcscTransport((apdu, max) => reader.transmit(apdu, max), door.id, this.log);
    binding.card = transport;
    void this.present(door, binding, transport, detectedAt);
  }

  private onCardOff(generation: Generation, reader: NfcReader): void {
    const binding = this.doorOf(generation, reader)?.binding;
    if (!binding) return;
    binding.card?.end(ErrorCode.CardRemoved, 'the card left the field');
    binding.card = null;
  }

  /** Reads the card's UID (an exchange of its own, before the codec's) and emits its presentation. */
  private async present(door: PcscDoor, binding: Binding, transport: PcscTransport, detectedAt: number): Promise<void> {
    const { clock, codec, exchangeTimeoutMs, ids } = this.options;
    let uid: Buffer;
    try {
      uid = await readUid(transport, exchangeTimeoutMs);
    } catch (e) {
      const level = isValidatorError(e, ErrorCode.CardRemoved) || isValidatorError(e, ErrorCode.ReaderUnavailable) ? 'debug' : 'warn';
      this.log[level]('card not presented: its UID could not be read', { reader: door.id, error: describeError(e) });
      return;
    }
    if (door.binding !== binding || binding.card !== transport) return;
    const presentation = new QomCardPresentation({
      id: ids.uuid(),
      reader: door.id,
      uid,
      detectedAt,
      transport,
      codec,
      exchangeTimeoutMs,
      log: this.log,
    });
    this.log.debug('card presented', {
      reader: door.id,
      card: presentation.uid,
      presentation: presentation.id,
      uidMs: Math.round(clock.monotonic() - detectedAt),
    });
    door.present(presentation);
  }

  private doorOf(generation: Generation, reader: NfcReader): PcscDoor | undefined {
    if (generation.retired) return undefined;
    return this.doors.find((d) => d.binding?.reader === reader);
  }

  /** The door loses its PC/SC reader; a card on it fails as the reader's. One log line, unless closing. */
  private unbind(door: PcscDoor, reason: string): void {
    const binding = door.binding;
    if (!binding) return;
    door.binding = null;
    binding.card?.end(ErrorCode.ReaderUnavailable, `reader ${door.id} is unavailable: ${reason}`);
    door.setState({ kind: 'absent', reason });
    if (!this.isClosed) this.log.warn(`reader ${door.id} absent: ${reason}`);
  }

  /** Takes a generation out of service: its doors go absent, its readers and NFC object are closed. */
  private retire(generation: Generation, reason?: string): void {
    generation.retired = true;
    if (this.generation === generation) this.generation = null;
    for (const door of this.doors) {
      if (door.binding?.generation === generation.serial) this.unbind(door, reason ?? 'closed');
    }
    if (reason) this.everyDoorAbsent(reason);
    const readers = [...generation.readers];
    this.dispose(() => {
      for (const reader of readers) this.attempt(`closing PC/SC reader "${reader.name}"`, () => reader.close());
      generation.nfc.close();
    });
  }

  private everyDoorAbsent(reason: string): void {
    for (const door of this.doors) if (!door.binding) door.setState({ kind: 'absent', reason });
  }

  /** Runs native close calls on a later turn, outside nfc-pcsc's events; close() waits for them. */
  private dispose(work: () => void): void {
    const done = new Promise<void>((resolve) =>
      setImmediate(() => {
        this.attempt('closing PC/SC', work);
        resolve();
      }),
    );
    this.disposals.add(done);
    void done.then(() => this.disposals.delete(done));
  }

  private attempt(what: string, work: () => void): void {
    try {
      work();
    } catch (e) {
      this.log.warn(`${what} failed`, { error: describeError(e) });
    }
  }

  /** nfc-pcsc swallows what its event listeners throw; a bug here must at least be logged. */
  private guard(event: string, work: () => void): void {
    try {
      work();
    } catch (e) {
      this.log.error(`bug: handling nfc-pcsc '${event}' failed`, { error: describeError(e), stack: (e as Error).stack });
    }
  }
}
