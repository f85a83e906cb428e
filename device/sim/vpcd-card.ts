import { connect, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { ErrorCode, isValidatorError, ValidatorError } from '../../src/domain/errors.ts';
import { silentLogger, type Logger } from '../../src/log/logger.ts';
import { toHex } from '../mifare/hex.ts';
import type { TornWrite, VanishPlan, VirtualClassicCard } from '../mifare/virtual-classic-card.ts';

/** Where vsmartcard-vpcd listens by default: reader "Virtual PCD 00 0n" on port 35963 + n. */
export const VPCD_HOST = '127.0.0.1';
export const VPCD_BASE_PORT = 35963;

/** A MIFARE Classic 1K as a PC/SC part 3 reader reports it (storage card, ISO 14443 A part 3, Classic 1K). */
export const CLASSIC_1K_ATR = Buffer.from('3B8F8001804F0CA000000306030001000000006A', 'hex');

/** A vpcd reader: its index ("Virtual PCD 00 01" is 1), or an explicit endpoint. */
export type VpcdSlot = number | { readonly port: number; readonly host?: string };

export interface VpcdCardOptions {
  /**
   * Default 127.0.0.1. vpcd writes a frame's length and payload separately with Nagle on, so with the
   * card's delayed ACKs each APDU waits 40 ms; test/support/pcscd.ts offers a loopback address that acks at once.
   */
  readonly host?: string;
  /** The port of reader index 0; default 35963. */
  readonly basePort?: number;
  readonly atr?: Buffer;
  /** How long vpcd may take to speak to a card it accepted; default 2000 ms. */
  readonly greetingTimeoutMs?: number;
  /** Called after each change to the card's memory while inserted, so a caller can persist the card. */
  readonly onWrite?: () => void;
  readonly log?: Logger;
}

export interface InsertOptions {
  /** The card leaves the field mid-conversation, counted from its first APDU (tearing tests). */
  readonly vanish?: VanishPlan;
}

/**
 * pcscd asks vpcd whether the card is there every 400 ms, and vpcd drops a connection as soon as an
 * exchange on it fails (a card gone mid-exchange, or an APDU sent after it went), then takes a waiting
 * connection at its very next poll: a card back in the field that soon would look to pcscd as if it had
 * never left, and pcscd would go on talking to the card it knew. An insertion therefore waits this long
 * after the last card left the same reader, so that one poll sees the reader empty, as it would a real one.
 */
export const VPCD_REMOVAL_MS = 500;

/** When a card last left each vpcd endpoint, in this process (performance.now()). */
const lastLeft = new Map<string, number>();

/** vpcd's one-byte control frames (vsmartcard's vpcd.h). */
const CONTROL = { powerOff: 0, powerOn: 1, reset: 2, atr: 4 } as const;
const LENGTH_BYTES = 2;

interface Inserted {
  readonly socket: Socket;
  readonly where: string;
  token: number;
  buffer: Buffer;
  /** Armed at the first APDU: pcscd may power-cycle the card (a new field session) before it talks. */
  vanish: VanishPlan | null;
  readonly timers: Set<NodeJS.Timeout>;
  readonly closed: Promise<void>;
  readonly stopWrites: (() => void) | null;
}

/**
 * A virtual card for the vsmartcard vpcd driver of a real pcscd: a TCP client that carries a
 * VirtualClassicCard's answers. Connecting puts the card into that reader's field, closing takes it out.
 * The same VirtualClassicCard serves every insertion, so its memory persists as a real card's would.
 *
 * vpcd frames are a 2-byte big-endian length and the payload. A 1-byte payload is control (power off,
 * power on, reset, "send your ATR"); anything else is a C-APDU, answered with the R-APDU. A power cycle
 * or a reset is a new field session for the card (authentication and key slots gone, as after lifting it).
 * Nothing thrown here leaves a socket handler: a failure takes the card out of the field and is logged.
 */
export class VpcdCard {
  /** Milliseconds before each answer goes out (reader timeout tests); the card itself acts at once. */
  answerDelayMs = 0;
  private readonly log: Logger;
  private inserted: Inserted | null = null;
  private inserting = false;
  private count = 0;

  constructor(
    readonly card: VirtualClassicCard,
    private readonly options: VpcdCardOptions = {},
  ) {
    this.log = options.log ?? silentLogger;
  }

  /** C-APDUs received since the last `insert`, the one cut by a vanish plan included. */
  get exchanges(): number {
    return this.count;
  }

  /** Whether the card is connected to vpcd, i.e. in a reader's field. */
  get isInserted(): boolean {
    return this.inserted !== null;
  }

  /**
   * Connects to the vpcd reader (the card enters its field) and resolves once vpcd has spoken to it.
   * Rejects with ReaderUnavailable when the port refuses (no pcscd with vpcd) or vpcd stays silent
   * (another card holds that reader), and with InvalidState when this card is already inserted.
   */
  async insert(slot: VpcdSlot, options: InsertOptions = {}): Promise<void> {
    if (this.inserted || this.inserting) {
      throw new ValidatorError(ErrorCode.InvalidState, `card ${this.card.uidHex} is already inserted at ${this.inserted?.where ?? 'a reader'}; remove it first`);
    }
    this.inserting = true;
    try {
      await this.connect(slot, options);
    } finally {
      this.inserting = false;
    }
  }

  /** Takes the card out of the field: closes the connection, and resolves once it is closed. */
  async remove(): Promise<void> {
    const inserted = this.inserted;
    if (!inserted) return;
    this.drop(inserted, 'removed');
    await inserted.closed;
  }

  /** Arms a removal mid-conversation, counted from now (VirtualClassicCard's semantics). */
  armVanish(plan: VanishPlan): void {
    if (!this.inserted) throw new ValidatorError(ErrorCode.InvalidState, `card ${this.card.uidHex} is not inserted`);
    this.inserted.vanish = null;
    this.card.armVanish(plan);
  }

  /** Shorthand: the next n APDUs are answered, the one after is cut and the card leaves. */
  vanishAfter(exchanges: number, tornWrite: TornWrite = 'unchanged'): void {
    this.armVanish({ afterExchanges: exchanges, tornWrite });
  }

  /** Resolves when the card is out of the field (removed, vanished, or vpcd went away). */
  async whenGone(): Promise<void> {
    await this.inserted?.closed;
  }

  private async connect(slot: VpcdSlot, options: InsertOptions): Promise<void> {
    const host = typeof slot === 'number' ? (this.options.host ?? VPCD_HOST) : (slot.host ?? VPCD_HOST);
    const port = typeof slot === 'number' ? (this.options.basePort ?? VPCD_BASE_PORT) + slot : slot.port;
    const where = `vpcd ${host}:${port}`;
    const sinceLeft = performance.now() - (lastLeft.get(where) ?? Number.NEGATIVE_INFINITY);
    if (sinceLeft < VPCD_REMOVAL_MS) await delay(VPCD_REMOVAL_MS - sinceLeft);
    const socket = await open(host, port);
    const greeted = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), this.options.greetingTimeoutMs ?? 2_000);
      socket.once('data', () => {
        clearTimeout(timer);
        resolve(true);
      });
      socket.once('close', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    this.count = 0;
    const token = this.card.enterField();
    const onWrite = this.options.onWrite;
    const inserted: Inserted = {
      socket,
      where,
      token,
      buffer: Buffer.alloc(0),
      vanish: options.vanish ?? null,
      timers: new Set(),
      closed,
      stopWrites: onWrite ? this.card.onWrite(onWrite) : null,
    };
    this.inserted = inserted;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(inserted, chunk));
    socket.on('error', (e) => this.log.debug('vpcd connection error', { where, error: e.message }));
    socket.on('close', () => this.gone(inserted, 'vpcd closed the connection'));
    if (!(await greeted)) {
      this.drop(inserted, 'vpcd did not speak to the card');
      await closed;
      throw new ValidatorError(
        ErrorCode.ReaderUnavailable,
        `${where} accepted card ${this.card.uidHex} but did not speak to it: another virtual card probably holds that reader; remove it first`,
      );
    }
    this.log.debug('card inserted', { card: this.card.uidHex, where });
  }

  private receive(inserted: Inserted, chunk: Buffer): void {
    try {
      inserted.buffer = inserted.buffer.length === 0 ? chunk : Buffer.concat([inserted.buffer, chunk]);
      while (this.inserted === inserted && inserted.buffer.length >= LENGTH_BYTES) {
        const length = inserted.buffer.readUInt16BE(0);
        if (inserted.buffer.length < LENGTH_BYTES + length) return;
        const payload = inserted.buffer.subarray(LENGTH_BYTES, LENGTH_BYTES + length);
        inserted.buffer = inserted.buffer.subarray(LENGTH_BYTES + length);
        if (length === 1) this.control(inserted, payload[0]!);
        else if (length > 1) this.exchange(inserted, payload);
        else this.log.debug('empty vpcd frame ignored', { where: inserted.where });
      }
    } catch (e) {
      this.log.error('virtual card failed; taking it out of the field', { where: inserted.where, error: (e as Error).message });
      this.drop(inserted, 'internal error');
    }
  }

  private control(inserted: Inserted, code: number): void {
    switch (code) {
      case CONTROL.atr:
        this.send(inserted, this.options.atr ?? CLASSIC_1K_ATR, 0);
        return;
      case CONTROL.powerOff:
        this.card.leave(inserted.token);
        return;
      case CONTROL.powerOn:
        // The card entered the field on connect; only a card switched off needs a new session.
        if (!this.card.present || this.card.fieldSession !== inserted.token) inserted.token = this.card.enterField();
        return;
      case CONTROL.reset:
        inserted.token = this.card.enterField();
        return;
      default:
        this.log.debug('unknown vpcd control code ignored', { where: inserted.where, code });
    }
  }

  private exchange(inserted: Inserted, apdu: Buffer): void {
    this.count += 1;
    if (inserted.vanish) {
      this.card.armVanish(inserted.vanish);
      inserted.vanish = null;
    }
    let response: Buffer;
    try {
      response = this.card.transmit(apdu);
    } catch (e) {
      if (!isValidatorError(e, ErrorCode.CardRemoved)) throw e;
      // The card left the field during this exchange: no answer, the connection goes (vpcd sees the removal).
      this.log.debug('card left the field mid-exchange', { where: inserted.where, exchange: this.count });
      this.drop(inserted, 'vanished');
      return;
    }
    this.log.debug(() => `=> ${toHex(apdu)} <= ${toHex(response)}`, { where: inserted.where });
    this.send(inserted, response, this.answerDelayMs);
  }

  private send(inserted: Inserted, payload: Buffer, delayMs: number): void {
    const frame = Buffer.alloc(LENGTH_BYTES + payload.length);
    frame.writeUInt16BE(payload.length, 0);
    payload.copy(frame, LENGTH_BYTES);
    if (delayMs <= 0) {
      inserted.socket.write(frame);
      return;
    }
    const timer = setTimeout(() => {
      inserted.timers.delete(timer);
      if (this.inserted === inserted) inserted.socket.write(frame);
    }, delayMs);
    inserted.timers.add(timer);
  }

  /** Ends this insertion from our side. */
  private drop(inserted: Inserted, why: string): void {
    this.gone(inserted, why);
    inserted.socket.destroy();
  }

  /** The card is out of the field, whoever ended the connection. */
  private gone(inserted: Inserted, why: string): void {
    if (this.inserted !== inserted) return;
    this.inserted = null;
    lastLeft.set(inserted.where, performance.now());
    for (const timer of inserted.timers) clearTimeout(timer);
    inserted.timers.clear();
    inserted.stopWrites?.();
    this.card.leave(inserted.token);
    this.log.debug('card out of the field', { card: this.card.uidHex, where: inserted.where, why });
  }
}

function open(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const refused = (e: NodeJS.ErrnoException): void => {
      socket.destroy();
      reject(
        new ValidatorError(
          ErrorCode.ReaderUnavailable,
          `vpcd at ${host}:${port} refused the virtual card (${e.code ?? e.message}): start \`pcscd -f -a\` as root, with vsmartcard-vpcd installed`,
          { cause: e },
        ),
      );
    };
    socket.once('error', refused);
    socket.once('connect', () => {
      socket.off('error', refused);
      resolve(socket);
    });
  });
}
