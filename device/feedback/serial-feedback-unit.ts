import { describeError, ErrorCode, ValidatorError } from '../../src/domain/errors.ts';
import type { Clock } from '../../src/domain/time.ts';
import type { Logger } from '../../src/log/logger.ts';
import type { FeedbackHealth, FeedbackScreen, FeedbackUnit } from '../../src/ports/feedback-unit.ts';
import type { ByteLink, OpenLink } from './byte-link.ts';
import { BEEP_CODES, Command, decodeStatus, encodeShow, isRtl, LED_CODES } from './feedback-messages.ts';
import { encodeFrame, FrameDecoder, type Frame } from './frame-codec.ts';

export interface SerialFeedbackOptions {
  readonly open: OpenLink;
  /** Where the unit is, for status ("/dev/ttyUSB0 at 115200 baud"). */
  readonly where: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** How long to wait for a command's ack before sending it again. */
  readonly ackTimeoutMs: number;
  /** Sends after the first, before the unit counts as down. */
  readonly retries: number;
  /** A STATUS query this often: while up to notice a silent unit, while down to notice its return. */
  readonly probeMs: number;
  /** How often to try opening a port that is gone. */
  readonly reopenMs: number;
}

interface PendingShow {
  readonly screen: FeedbackScreen;
  readonly beep: boolean;
  readonly waiters: { resolve: () => void; reject: (e: unknown) => void }[];
}

/**
 * The passenger feedback unit on a serial port (docs/feedback-protocol.md). One command in flight at
 * a time; a lost ack is retried with the same SEQ, so the unit never beeps twice. While the unit is down
 * show() fails at once (taps never wait on the display) but remembers the screen, and when the unit
 * answers again, or says it powered up, the current screen is sent again. Reopens a lost port by itself.
 */
export class SerialFeedbackUnit implements FeedbackUnit {
  private link: ByteLink | null = null;
  private readonly decoder = new FrameDecoder();
  private seq = 0;
  private current: FeedbackScreen | null = null;
  private pending: PendingShow | null = null;
  private resend = false;
  private state: FeedbackHealth['state'] = 'unknown';
  private since: number | null = null;
  private lastError: string | null = null;
  private firmware = '';
  private awaiting: { seq: number; settle: (frame: Frame | null) => void } | null = null;
  private wake: (() => void) | null = null;
  private closed = false;
  private readonly loop: Promise<void>;

  constructor(private readonly options: SerialFeedbackOptions) {
    this.loop = this.run();
  }

  show(screen: FeedbackScreen): Promise<void> {
    if (this.closed) return Promise.reject(new ValidatorError(ErrorCode.FeedbackUnavailable, 'feedback unit closed'));
    this.current = screen;
    if (this.state === 'down') {
      this.resend = true;
      return Promise.reject(new ValidatorError(ErrorCode.FeedbackUnavailable, `feedback unit down: ${this.lastError ?? 'no answer'}`));
    }
    // The newest screen wins: an older one not yet sent is dropped, and its caller settles with the newer one.
    const waiters = this.pending?.waiters ?? [];
    const promise = new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
    this.pending = { screen, beep: screen.beep !== 'none', waiters };
    this.poke();
    return promise;
  }

  health(): FeedbackHealth {
    const detail = this.firmware ? `${this.options.where}, firmware ${this.firmware}` : this.options.where;
    return { state: this.state, since: this.since, lastError: this.lastError, detail };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.awaiting?.settle(null);
    this.poke();
    await this.loop;
    this.failPending(new ValidatorError(ErrorCode.FeedbackUnavailable, 'feedback unit closed'));
    await this.link?.close();
    this.link = null;
  }

  private async run(): Promise<void> {
    let nextProbe = 0;
    while (!this.closed) {
      if (!this.link) {
        await this.connect();
        if (!this.link) {
          await this.sleep(this.options.reopenMs);
          continue;
        }
        // STATUS first: it makes the unit forget the last SEQ, so our first commands (SEQ from 1 again
        // after a restart) are never taken for repeats of the last daemon's.
        nextProbe = this.options.clock.monotonic() + this.options.probeMs;
        await this.probe();
        continue;
      }
      const pending = this.pending ?? (this.resend && this.current ? { screen: this.current, beep: false, waiters: [] } : null);
      if (pending) {
        this.pending = null;
        this.resend = false;
        await this.send(pending);
        continue;
      }
      const now = this.options.clock.monotonic();
      if (now >= nextProbe) {
        nextProbe = now + this.options.probeMs;
        await this.probe();
        continue;
      }
      await this.sleep(nextProbe - now);
    }
  }

  private async connect(): Promise<void> {
    try {
      this.link = await this.options.open({ onData: (bytes) => this.receive(bytes), onLost: (e) => this.lost(e) });
      this.options.log.info('feedback unit port open', { where: this.options.where });
    } catch (e) {
      this.setState('down', `cannot open ${this.options.where}: ${describeError(e)}`);
    }
  }

  private lost(e: Error): void {
    this.link = null;
    this.resend = true;
    this.awaiting?.settle(null);
    this.setState('down', `port lost: ${e.message}`);
  }

  private async send(show: PendingShow): Promise<void> {
    const { screen } = show;
    try {
      await this.exchange(Command.Show, encodeShow({ line1: screen.line1, line2: screen.line2, rtl1: isRtl(screen.line1), rtl2: isRtl(screen.line2) }));
      await this.exchange(Command.Led, Uint8Array.of(LED_CODES[screen.led]));
      if (show.beep) await this.exchange(Command.Beep, Uint8Array.of(BEEP_CODES[screen.beep]));
      for (const w of show.waiters) w.resolve();
    } catch (e) {
      this.resend = true;
      for (const w of show.waiters) w.reject(e);
    }
  }

  private async probe(): Promise<void> {
    try {
      const report = await this.exchange(Command.Status, new Uint8Array(0));
      const status = decodeStatus(report.payload);
      if (status) this.firmware = status.firmware;
      // A unit that restarted without our hearing its HELLO shows nothing we asked for.
      if (status && !status.screenSet) this.resend = true;
    } catch {
      // exchange() has marked the unit down; the next probe tries again.
    }
  }

  /** Sends one command and waits for its answer, sending it again (same SEQ) on a lost ack. */
  private async exchange(command: number, payload: Uint8Array): Promise<Frame> {
    this.seq = this.seq === 0xff ? 1 : this.seq + 1;
    const seq = this.seq;
    const frame = encodeFrame({ seq, command, payload });
    for (let attempt = 0; attempt <= this.options.retries; attempt++) {
      const link = this.link;
      if (!link || this.closed) break;
      const answer = new Promise<Frame | null>((settle) => {
        const timer = setTimeout(() => settle(null), this.options.ackTimeoutMs);
        this.awaiting = {
          seq,
          settle: (f) => {
            clearTimeout(timer);
            this.awaiting = null;
            settle(f);
          },
        };
      });
      await link.write(frame).catch((e: unknown) => this.options.log.debug('feedback write failed', { error: describeError(e) }));
      const reply = await answer;
      if (reply === null) {
        if (this.decoder.pending) this.dispatch(this.decoder.abandonPartial());
        continue;
      }
      if (reply.command === Command.Nak) {
        const error = `unit refused command 0x${command.toString(16)} (reason ${reply.payload[0] ?? '?'})`;
        this.setState('up', error);
        throw new ValidatorError(ErrorCode.FeedbackUnavailable, error);
      }
      this.setState('up', null);
      return reply;
    }
    const why = this.closed ? 'closed' : this.link ? `no ack after ${this.options.retries + 1} sends` : (this.lastError ?? 'port gone');
    this.setState(this.closed ? this.state : 'down', why);
    throw new ValidatorError(ErrorCode.FeedbackUnavailable, `feedback unit: ${why}`);
  }

  private receive(bytes: Buffer): void {
    this.dispatch(this.decoder.push(bytes));
  }

  private dispatch(frames: Frame[]): void {
    for (const frame of frames) {
      if (frame.command === Command.Hello) {
        this.options.log.info('feedback unit powered up: sending the current screen again');
        this.resend = true;
        this.setState('up', null);
        this.poke();
      } else if (this.awaiting?.seq === frame.seq) {
        this.awaiting.settle(frame);
      }
    }
  }

  private setState(state: FeedbackHealth['state'], error: string | null): void {
    if (error !== null) this.lastError = error;
    if (state === this.state) return;
    this.options.log[state === 'down' ? 'warn' : 'info'](`feedback unit ${state}`, { where: this.options.where, error: this.lastError });
    // Back from down: whatever the unit shows now is stale.
    if (state === 'up' && this.state === 'down') this.resend = true;
    this.state = state;
    this.since = this.options.clock.now();
    if (state === 'up') return;
    this.failPending(new ValidatorError(ErrorCode.FeedbackUnavailable, `feedback unit down: ${this.lastError ?? 'no answer'}`));
  }

  private failPending(e: ValidatorError): void {
    const pending = this.pending;
    this.pending = null;
    for (const w of pending?.waiters ?? []) w.reject(e);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }

  private poke(): void {
    this.wake?.();
  }
}
