import { BehaviorSubject, type Observable, Subject, distinctUntilChanged } from 'rxjs';
import { describeError } from '../../src/domain/errors.ts';
import type { Clock } from '../../src/domain/time.ts';
import type { Logger } from '../../src/log/logger.ts';
import type { GpsFix, PositionReading, PositionSource } from '../../src/ports/position-source.ts';
import { LineBuffer } from './line-buffer.ts';
import { NmeaFixTracker, type SentenceResult, type TrackedFix } from './nmea-fix-tracker.ts';
import { readingsEqual } from './reading.ts';
import { type SerialLink, type SerialLinkFactory, serialPortLink } from './serial-link.ts';

export interface SerialGpsOptions {
  /** Prefer /dev/serial/by-id/…: it names the receiver, not the order it was plugged in. */
  readonly path: string;
  readonly baudRate: number;
  /** A fix older than this is stale: taps go on without a stop. */
  readonly staleAfterMs: number;
  /** How often a closed or missing port is tried again. */
  readonly reconnectMs: number;
  readonly clock: Clock;
  readonly log: Logger;
  readonly link?: SerialLinkFactory;
}

/** One line read from the receiver, and the fix after it (the technician's monitor and the tests). */
export interface SentenceEvent {
  readonly sentence: string;
  readonly result: SentenceResult;
  readonly reading: PositionReading;
}

/**
 * The GPS receiver on a serial port: NMEA 0183 lines through NmeaFixTracker into a PositionSource.
 *
 * The port is reopened every `reconnectMs` while it is missing or after it closes (unplugged, the
 * receiver's USB bridge reset); each open starts a fresh tracker, so nothing from before the unplug is
 * reported as current. A fix ages: after `staleAfterMs` without a new one the reading is `stale`, and a
 * stale fix is never handed to a tap.
 */
export class SerialGpsSource implements PositionSource {
  private readonly readings: BehaviorSubject<PositionReading>;
  private readonly sentenceEvents = new Subject<SentenceEvent>();
  private readonly lines = new LineBuffer();
  private readonly makeLink: SerialLinkFactory;
  private link: SerialLink | null = null;
  private tracker = new NmeaFixTracker();
  private lastFix: GpsFix | null = null;
  private clockErrorMs: number | null = null;
  private reopenTimer: NodeJS.Timeout | null = null;
  private readonly ageTimer: NodeJS.Timeout;
  private closed = false;

  readonly readings$: Observable<PositionReading>;
  /** Every line read, accepted or not. */
  readonly sentences$: Observable<SentenceEvent> = this.sentenceEvents.asObservable();

  constructor(private readonly options: SerialGpsOptions) {
    this.makeLink = options.link ?? serialPortLink;
    this.readings = new BehaviorSubject<PositionReading>({ status: 'no-receiver', fix: null, clockErrorMs: null, source: options.path });
    this.readings$ = this.readings.pipe(distinctUntilChanged(readingsEqual));
    // The fix goes stale with no sentence arriving at all: age it on a timer too.
    this.ageTimer = setInterval(() => this.publish(), Math.min(1000, Math.max(50, options.staleAfterMs / 4)));
    this.ageTimer.unref();
    this.openLink();
  }

  current(): PositionReading {
    const status = this.status();
    return {
      status,
      fix: status === 'fix' ? this.lastFix : null,
      clockErrorMs: this.clockErrorMs,
      source: this.options.path,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.ageTimer);
    if (this.reopenTimer) clearTimeout(this.reopenTimer);
    const link = this.link;
    this.link = null;
    if (link?.isOpen) await new Promise<void>((resolve) => link.close(() => resolve()));
    link?.removeAllListeners();
    this.readings.complete();
    this.sentenceEvents.complete();
  }

  private status(): PositionReading['status'] {
    if (!this.link?.isOpen) return 'no-receiver';
    if (this.lastFix === null) return 'no-fix';
    if (this.options.clock.monotonic() - this.lastFix.receivedAt > this.options.staleAfterMs) return 'stale';
    return this.tracker.fix.position === null ? 'no-fix' : 'fix';
  }

  private openLink(): void {
    if (this.closed) return;
    let link: SerialLink;
    try {
      link = this.makeLink(this.options.path, this.options.baudRate);
    } catch (e) {
      this.retry(e);
      return;
    }
    this.link = link;
    link.on('data', (chunk) => this.onData(chunk));
    link.on('error', (e) => this.options.log.debug('serial error', { error: e.message }));
    link.on('close', () => {
      if (this.link !== link) return;
      this.options.log.warn('GPS receiver gone; reopening', { path: this.options.path });
      link.removeAllListeners();
      this.link = null;
      this.publish();
      this.retry(null);
    });
    link.open((error) => {
      if (this.link !== link) {
        // Closed while opening: do not leave the port open behind us.
        if (!error) link.close(() => link.removeAllListeners());
        return;
      }
      if (error) {
        link.removeAllListeners();
        this.link = null;
        this.retry(error);
        return;
      }
      this.tracker = new NmeaFixTracker();
      this.lastFix = null;
      this.lines.clear();
      this.options.log.info('GPS receiver open', { path: this.options.path, baudRate: this.options.baudRate });
      this.publish();
    });
  }

  private retry(error: unknown): void {
    if (this.closed || this.reopenTimer) return;
    if (error) this.options.log.debug('GPS port not open', { path: this.options.path, error: describeError(error) });
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = null;
      this.openLink();
    }, this.options.reconnectMs);
    this.reopenTimer.unref();
  }

  private onData(chunk: Buffer): void {
    for (const sentence of this.lines.push(chunk)) {
      const before = this.tracker.fix;
      const result = this.tracker.accept(sentence);
      if (result.kind === 'accepted') this.take(before, this.tracker.fix);
      this.publish();
      this.sentenceEvents.next({ sentence, result, reading: this.current() });
    }
  }

  /** A new position makes a new fix; a new time measures the system clock's error. */
  private take(before: TrackedFix, after: TrackedFix): void {
    const { clock } = this.options;
    if (after.time !== null && after.time !== before.time) this.clockErrorMs = after.time - clock.now();
    if (after.position === null || after.time === null) return;
    if (before.position === after.position && before.time === after.time && this.lastFix !== null) return;
    this.lastFix = {
      time: after.time,
      lat: after.position.lat,
      lon: after.position.lon,
      speedMps: after.speedMps,
      trackDeg: after.trackDeg,
      receivedAt: clock.monotonic(),
    };
  }

  private publish(): void {
    if (!this.closed) this.readings.next(this.current());
  }
}
