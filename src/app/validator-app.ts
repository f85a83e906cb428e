import { mkdirSync } from 'node:fs';
import type { Subscription } from 'rxjs';
import type { Config } from '../config/schema.ts';
import { ControlServer } from '../control/control-server.ts';
import type { ControlHandlers } from '../control/dispatch.ts';
import { denyListControlHandlers } from '../deny-list/control-handlers.ts';
import type { DenyListStore } from '../deny-list/deny-list-store.ts';
import { describeError, ErrorCode, ValidatorError } from '../domain/errors.ts';
import type { FarePolicy } from '../domain/fare-policy.ts';
import type { IdSource } from '../domain/ids.ts';
import type { Clock } from '../domain/time.ts';
import type { MessageOptions } from '../feedback/messages.ts';
import type { SqliteTapJournal } from '../journal/sqlite-tap-journal.ts';
import type { Logger } from '../log/logger.ts';
import { TapPipeline } from '../pipeline/tap-pipeline.ts';
import type { TapOutcome } from '../pipeline/tap-outcome.ts';
import type { ReaderState } from '../ports/card-reader.ts';
import { deviceAssignHandler } from './device-assignment.ts';
import { DisplayController } from './display-controller.ts';
import type { CardSimulator, Hardware } from './hardware.ts';
import type { Paths } from './paths.ts';
import { absentReaderProblem, type StatusReport } from './status-report.ts';
import { TapLoopProbe } from './tap-loop-probe.ts';
import { cardSafeStop, gpsStatus } from './start-gps.ts';
import type { CurrentStop } from '../stops/current-stop.ts';
import { syncSummary, type SyncHandle } from './sync-status.ts';
import { backlogFacts, fareFacts, lastTapFacts } from './list-facts.ts';

export interface AppParts {
  readonly config: Config;
  readonly paths: Paths;
  readonly journal: SqliteTapJournal;
  readonly denyList: DenyListStore;
  readonly fares: FarePolicy;
  readonly hardware: Hardware;
  /** Builds the card simulator once the pipeline exists; absent on real hardware. */
  readonly simulator: ((app: TapPipeline) => CardSimulator) | null;
  /** The current stop and position from GPS; null or absent: no receiver, the stop is config.device.stop. */
  readonly gps?: CurrentStop | null;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly log: Logger;
  readonly softwareVersion: string;
  /** The backend sync client; null or absent when the device is not enrolled. */
  readonly sync?: SyncHandle | null;
  /** Called with an error the application cannot handle: the process must exit non-zero. */
  readonly onFatal: (e: unknown) => void;
}

const HOUR_MS = 3_600_000;
const RECENT_TAPS = 10;

/** The running validator: readers feeding the tap pipeline, the displays, the control socket. */
export class ValidatorApp {
  readonly pipeline: TapPipeline;
  readonly simulator: CardSimulator | null;
  readonly display: DisplayController;
  /** The last few taps, newest first (panel, status). */
  readonly recent: TapOutcome[] = [];
  /** Probes each door's tap queue, for the service watchdog. */
  readonly tapLoop = new TapLoopProbe();
  private readonly readerStates = new Map<string, ReaderState>();
  private readonly subscriptions: Subscription[] = [];
  private readonly control: ControlServer;
  private readonly startedAt: Date;
  private housekeeping: NodeJS.Timeout | null = null;
  private readonly cardStop: (stop: string | null) => string | null;

  private constructor(private readonly parts: AppParts) {
    const { config, journal, hardware, clock, ids, log } = parts;
    this.startedAt = new Date(clock.now());
    this.cardStop = cardSafeStop(config, log.child('gps'));
    const messages: MessageOptions = { moneyUnit: config.display.moneyUnit, lowBalance: config.display.lowBalanceRials };
    this.pipeline = new TapPipeline({
      journal,
      sources: {
        denyList: () => parts.denyList,
        fares: () => parts.fares,
        context: () => ({ device: config.device.id, vehicle: config.device.vehicle, route: config.device.route, stop: this.stopNow() }),
        // Read after context() for the same tap: the same fix, at most microseconds older.
        position: () => parts.gps?.now().position ?? null,
      },
      feedbackFor: (reader) => hardware.feedbackFor(reader),
      clock,
      ids,
      log: log.child('tap'),
      settings: {
        budgetMs: config.tap.budgetMs,
        resumeWindowMs: config.tap.resumeWindowSeconds * 1000,
        timeZone: config.network.timeZone,
        messages,
      },
    });
    this.simulator = parts.simulator ? parts.simulator(this.pipeline) : null;
    this.display = new DisplayController(
      hardware.readers.map((r) => ({ id: r.id, feedback: hardware.feedbackFor(r.id) })),
      (door) => this.problems(door),
      messages,
      clock,
      config.display.holdSeconds * 1000,
      log.child('display'),
    );
    this.control = new ControlServer({ path: parts.paths.controlSocket, handlers: this.handlers(), log: log.child('control') });
  }

  /** Starts everything; the validator takes taps when this resolves. */
  static async start(parts: AppParts): Promise<ValidatorApp> {
    mkdirSync(parts.paths.stateDir, { recursive: true, mode: 0o700 });
    const app = new ValidatorApp(parts);
    // Readers feed the pipeline before the control socket is reachable: the socket answers while
    // listen() is still finishing, and a simulated tap presented to an unsubscribed reader would be lost.
    app.begin();
    try {
      await app.control.listen();
    } catch (e) {
      await app.stopTaking();
      throw e;
    }
    return app;
  }

  private begin(): void {
    const { hardware, journal, log, config, onFatal } = this.parts;
    const open = journal.openDebits();
    if (open.length > 0) log.warn(`${open.length} interrupted debit(s) open; each resolves at its card's next presentation`);
    this.closeStaleIntents();
    for (const reader of hardware.readers) {
      this.subscriptions.push(
        reader.state$.subscribe((state) => {
          this.readerStates.set(reader.id, state);
          log.info(`reader ${reader.id}: ${state.kind === 'ready' ? `ready (${state.name})` : `absent (${state.reason})`}`);
          this.display.refresh();
        }),
        // One tap at a time per door; the doors run side by side.
        this.tapLoop.queue(reader.id, reader.presentations$, (p) => this.pipeline.process(p)).subscribe({ error: onFatal }),
      );
    }
    this.subscriptions.push(
      this.pipeline.outcomes$.subscribe((o) => {
        this.display.noteOutcome(o);
        this.recent.unshift(o);
        this.recent.splice(RECENT_TAPS);
        log.child('tap').info('tap', tapLogFields(o));
      }),
    );
    this.display.start();
    this.housekeeping = setInterval(() => {
      try {
        this.closeStaleIntents();
        journal.prune(this.parts.clock.now());
      } catch (e) {
        log.error('housekeeping failed', { error: describeError(e) });
      }
    }, HOUR_MS);
    this.housekeeping.unref();
    log.info('validator ready', { device: config.device.id, readers: hardware.readers.map((r) => r.id) });
  }

  /** Why a door cannot take taps now, most important first; empty when in service. */
  problems(door: string | null): string[] {
    return [...this.problemsBesideReaders(), ...this.absentReaders(door)];
  }

  /** Why no door can take taps now, readers aside (the journal cannot record a debit). */
  private problemsBesideReaders(): string[] {
    try {
      this.parts.journal.assertWritable();
      return [];
    } catch (e) {
      return [describeError(e)];
    }
  }

  /** Each absent reader (of `door`, or of every door when null), as a problem. */
  private absentReaders(door: string | null): string[] {
    const problems: string[] = [];
    for (const [id, state] of this.readerStates) {
      if ((door === null || door === id) && state.kind === 'absent') problems.push(absentReaderProblem(id, state.reason));
    }
    return problems;
  }

  /** GPS's stop when there is a receiver (none without a fix or a stop near), else the configured one. */
  private stopNow(): string | null {
    const gps = this.parts.gps;
    return gps ? this.cardStop(gps.now().stop) : this.parts.config.device.stop;
  }

  status(): StatusReport {
    const { config, paths, journal, denyList, fares, hardware } = this.parts;
    const stats = journal.stats();
    const besideReaders = this.problemsBesideReaders();
    return {
      // The stop the next tap would record: GPS's, or the configured one without GPS.
      device: { id: config.device.id, vehicle: config.device.vehicle, route: config.device.route, stop: this.stopNow() },
      mode: this.simulator ? 'simulation' : 'hardware',
      softwareVersion: this.parts.softwareVersion,
      pid: process.pid,
      startedAt: this.startedAt.toISOString(),
      stateDir: paths.stateDir,
      configFile: paths.configFile,
      problems: [...besideReaders, ...this.absentReaders(null)],
      problemsBesideReaders: besideReaders,
      readers: hardware.readers.map((r) => ({ id: r.id, state: this.readerStates.get(r.id) ?? { kind: 'absent', reason: 'not yet seen' } })),
      feedback: hardware.readers.map((r) => ({ id: r.id, health: hardware.feedbackFor(r.id).health() })),
      journal: stats,
      denyList: { version: denyList.version, entries: denyList.size, appliedAt: isoOrNull(denyList.appliedAt) },
      fares: fareFacts(fares, this.parts.clock.now()),
      backlog: backlogFacts(journal, stats),
      gps: this.parts.gps ? gpsStatus(this.parts.gps.now()) : null,
      lastTap: lastTapFacts(journal, stats),
      sync: syncSummary(this.parts.sync ?? null),
      syncState: this.parts.sync?.status() ?? null,
    };
  }

  /** SIGTERM: stop taking taps, finish the one in progress, close the database. */
  async stop(): Promise<void> {
    const { hardware, journal, log } = this.parts;
    // First no new requests (a simulated tap now would find no one listening), then no new cards.
    await this.control.close();
    await this.stopTaking();
    await hardware.close();
    await this.parts.gps?.close();
    await this.parts.denyList.close();
    journal.close();
    log.info('validator stopped');
  }

  /** Stops taking cards and finishes the tap in progress; leaves the control socket, hardware and journal open. */
  private async stopTaking(): Promise<void> {
    if (this.housekeeping) clearInterval(this.housekeeping);
    for (const s of this.subscriptions) s.unsubscribe();
    await this.pipeline.drain();
    this.display.stop();
    this.pipeline.close();
  }

  private closeStaleIntents(): void {
    this.pipeline.closeStaleIntents(this.parts.config.tap.unresolvedAfterHours * HOUR_MS);
  }

  private handlers(): ControlHandlers {
    return {
      ...denyListControlHandlers(this.parts.denyList),
      'device.assign': deviceAssignHandler(this.parts.config.device, this.parts.paths.configFile, this.parts.log.child('assign')),
      status: () => Promise.resolve(this.status()),
      'sync.now': async () => {
        const sync = this.parts.sync;
        if (!sync) throw new ValidatorError(ErrorCode.InvalidState, 'this validator is not enrolled with a backend: run validator enroll --backend URL --code CODE --device-id ID, then restart it');
        return { result: await sync.syncNow(), state: sync.status() };
      },
      'sync.export': async (params) => {
        const sync = this.parts.sync;
        const dir = (params as { dir?: unknown } | null)?.dir;
        if (!sync) throw new ValidatorError(ErrorCode.InvalidState, 'this validator has no device key yet: enroll it (validator enroll) before exporting');
        if (typeof dir !== 'string') throw new ValidatorError(ErrorCode.BadRequest, 'sync.export needs {"dir": "/absolute/path"}');
        return sync.exportTo(dir);
      },
      taps: (params) => {
        const { since, limit } = (params ?? {}) as { since?: unknown; limit?: unknown };
        const from = typeof since === 'number' ? since : 0;
        const count = typeof limit === 'number' ? Math.min(limit, 10_000) : 100;
        return Promise.resolve({ records: this.parts.journal.list(from, count) });
      },
      tap: async (params) => {
        const simulator = this.simulator;
        if (!simulator) {
          throw new ValidatorError(ErrorCode.InvalidState, 'this validator runs on real hardware: present a real card, or start one with --simulate');
        }
        const { profile, reader } = (params ?? {}) as { profile?: unknown; reader?: unknown };
        if (typeof profile !== 'string') throw new ValidatorError(ErrorCode.BadRequest, 'tap needs a profile name');
        if (profile === 'list') return { outcomes: [], profiles: simulator.profiles };
        return { outcomes: await simulator.tap(profile, typeof reader === 'string' ? reader : null) };
      },
    };
  }
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** One structured log line per tap. */
function tapLogFields(o: TapOutcome): Record<string, unknown> {
  const own = o.records.at(-1);
  return {
    reader: o.reader,
    card: o.cardNumber ?? o.cardUid,
    shown: o.notice.kind,
    reason: own?.reason ?? ('reason' in o.notice ? o.notice.reason : null),
    fare: own?.fare ?? 0,
    balance: own?.balanceAfter ?? null,
    seq: o.records.map((r) => r.seq),
    ms: o.elapsedMs,
    display: o.screen.english,
  };
}
