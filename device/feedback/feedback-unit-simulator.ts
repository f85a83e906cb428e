import { BehaviorSubject, type Observable } from 'rxjs';
import type { Beep, Led } from '../../src/ports/feedback-unit.ts';
import type { ByteLink, OpenLink } from './byte-link.ts';
import { BEEP_CODES, codeName, Command, decodeShow, encodeStatus, LED_CODES, NakReason, type ShowText } from './feedback-messages.ts';
import { encodeFrame, FrameDecoder, type Frame } from './frame-codec.ts';

/** What the simulated unit shows: its two lines, their directions and the LED. */
export interface UnitDisplay extends ShowText {
  readonly led: Led;
  /** False after power-up until the host's first SHOW. */
  readonly screenSet: boolean;
}

/** Silence after which a partial frame is given up. */
const STALL_MS = 50;

const BLANK: UnitDisplay = { line1: '', line2: '', rtl1: false, rtl2: false, led: 'off', screenSet: false };

/**
 * The passenger feedback unit, simulated behind its serial protocol (docs/feedback-protocol.md): the
 * contract tests drive the real driver against it through a socat pseudo-terminal, and the demo through
 * an in-process wire. Programmable: drop the next acks, go silent, power-cycle.
 */
export class FeedbackUnitSimulator {
  private link: ByteLink | null = null;
  private readonly decoder = new FrameDecoder();
  private readonly display = new BehaviorSubject<UnitDisplay>(BLANK);
  private lastSeq: number | null = null;
  private stall: NodeJS.Timeout | null = null;
  private poweredAt: number;
  /** Every beep sounded, oldest first. */
  readonly beeps: Beep[] = [];
  /** Commands executed (not counting repeats the unit recognized by their SEQ). */
  executed = 0;
  /** The next this many commands are executed but not acked (a lost ack)… */
  dropAcks = 0;
  /** …counting only this command, when set. */
  dropAcksOf: number | null = null;
  /** Hears nothing and says nothing, as if unplugged. */
  silent = false;
  /** Refuses the next command with this NAK reason, once. */
  refuseNext: number | null = null;

  constructor(
    private readonly open: OpenLink,
    private readonly firmware = 'SIM-1.0',
    private readonly now: () => number = () => performance.now(),
  ) {
    this.poweredAt = now();
  }

  /** Opens the unit's end of the line and announces itself with HELLO, as at power-up. */
  async start(): Promise<void> {
    this.link = await this.open({ onData: (bytes) => this.receive(bytes), onLost: () => (this.link = null) });
    await this.powerCycle();
  }

  get screen(): UnitDisplay {
    return this.display.value;
  }

  get screen$(): Observable<UnitDisplay> {
    return this.display.asObservable();
  }

  /** Power-up: a blank screen, LED off, SEQ history forgotten, then HELLO (unless silent). */
  async powerCycle(): Promise<void> {
    this.poweredAt = this.now();
    this.lastSeq = null;
    this.display.next(BLANK);
    if (!this.silent) await this.reply({ seq: 0, command: Command.Hello, payload: Buffer.from(this.firmware, 'latin1') });
  }

  async close(): Promise<void> {
    if (this.stall) clearTimeout(this.stall);
    this.display.complete();
    await this.link?.close();
    this.link = null;
  }

  private receive(bytes: Buffer): void {
    if (this.silent) return;
    this.handleAll(this.decoder.push(bytes));
    // A frame whose bytes stopped arriving is given up after 50 ms (docs/feedback-protocol.md).
    if (this.stall) clearTimeout(this.stall);
    this.stall = this.decoder.pending ? setTimeout(() => this.handleAll(this.decoder.abandonPartial()), STALL_MS) : null;
  }

  private handleAll(frames: Frame[]): void {
    for (const frame of frames) void this.handle(frame);
  }

  private async handle(frame: Frame): Promise<void> {
    if (frame.command >= 0x80) return;
    // A repeat of the last command (its ack was lost): ack again, do not beep again.
    const repeat = frame.seq === this.lastSeq && frame.command !== Command.Status;
    let answer: Frame | null;
    if (frame.command === Command.Status) {
      // STATUS is the host's sync point: the next command is carried out whatever its SEQ.
      this.lastSeq = null;
      const screen = this.screen;
      const uptimeSeconds = Math.floor((this.now() - this.poweredAt) / 1000);
      answer = { seq: frame.seq, command: Command.StatusReport, payload: encodeStatus({ screenSet: screen.screenSet, led: screen.led, uptimeSeconds, firmware: this.firmware }) };
    } else {
      const refused = repeat ? null : this.refuse() ?? this.execute(frame);
      answer = refused === null ? { seq: frame.seq, command: Command.Ack, payload: new Uint8Array(0) } : { seq: frame.seq, command: Command.Nak, payload: Uint8Array.of(refused) };
      if (refused === null) this.lastSeq = frame.seq;
    }
    if (this.dropAcks > 0 && (this.dropAcksOf === null || this.dropAcksOf === frame.command)) {
      this.dropAcks -= 1;
      return;
    }
    await this.reply(answer);
  }

  private refuse(): number | null {
    const reason = this.refuseNext;
    this.refuseNext = null;
    return reason;
  }

  /** Carries out a command; returns the NAK reason, or null when done. */
  private execute(frame: Frame): number | null {
    const screen = this.screen;
    switch (frame.command) {
      case Command.Show: {
        const text = decodeShow(frame.payload);
        if (!text) return NakReason.BadPayload;
        this.display.next({ ...screen, ...text, screenSet: true });
        break;
      }
      case Command.Led: {
        const led = frame.payload.length === 1 ? codeName(LED_CODES, frame.payload[0]!) : null;
        if (led === null) return NakReason.BadPayload;
        this.display.next({ ...screen, led });
        break;
      }
      case Command.Beep: {
        const beep = frame.payload.length === 1 ? codeName(BEEP_CODES, frame.payload[0]!) : null;
        if (beep === null) return NakReason.BadPayload;
        this.beeps.push(beep);
        break;
      }
      default:
        return NakReason.UnknownCommand;
    }
    this.executed += 1;
    return null;
  }

  private async reply(frame: Frame): Promise<void> {
    await this.link?.write(encodeFrame(frame)).catch(() => undefined);
  }
}
