import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { combineLatest, filter, merge, skip, take, type Subscription } from 'rxjs';
import type { Logger } from '../log/logger.ts';
import type { CardReader } from '../ports/card-reader.ts';
import type { ServiceSupervisor } from '../ports/service-supervisor.ts';
import type { TapLoopProbe } from './tap-loop-probe.ts';

/** What the STATUS line says: why the validator cannot take taps (none: in service), and taps not yet synced. */
export interface ServiceState {
  readonly problems: readonly string[];
  readonly backlog: number;
}

export interface SupervisionOptions {
  readonly supervisor: ServiceSupervisor;
  readonly tapLoop: TapLoopProbe;
  readonly readers: readonly CardReader[];
  readonly state: () => ServiceState;
  readonly log: Logger;
  /** How long READY waits for every door's reader; default READERS_SETTLE_MS. */
  readonly readersSettleMs?: number;
}

/** pcscd names its readers within a few hundred ms of connecting; a reader still missing after this is absent. */
export const READERS_SETTLE_MS = 2_000;
/** How often the STATUS line is worked out again (disk, backlog); it is sent only when it changed. */
const STATUS_EVERY_MS = 5_000;
/** An event loop held this long between two pings has had taps miss their 300 ms budget. */
const LOOP_STALL_MS = 1_000;

/**
 * Keeps the service manager told: READY once the readers are up (or have had READERS_SETTLE_MS to come
 * up), STATUS on every change of state, WATCHDOG only while every door's tap queue moves and the event
 * loop is not held, STOPPING at shutdown.
 *
 * A door whose reader is absent at boot does not hold READY back: the validator is ready, and STATUS says
 * that door is out of service and why. Its reader comes back by itself (docs/architecture.md); withholding
 * READY would only have systemd kill and restart a daemon that journals and syncs correctly meanwhile.
 */
export class Supervision {
  private readonly subscriptions: Subscription[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private loopDelay: IntervalHistogram | null = null;
  private isReady = false;
  private stopped = false;
  private lastStatus: string | null = null;
  /** Why the last watchdog ping was withheld; null while healthy. */
  private unhealthy: string | null = null;

  constructor(private readonly options: SupervisionOptions) {}

  /** Starts the watchdog pings and sends READY once the readers have settled. */
  start(): void {
    const { readers, supervisor } = this.options;
    if (supervisor.watchdogIntervalMs !== null) this.startWatchdog(supervisor.watchdogIntervalMs);
    this.timers.push(unref(setTimeout(() => this.becomeReady(), this.options.readersSettleMs ?? READERS_SETTLE_MS)));
    if (readers.length === 0) return this.becomeReady();
    this.subscriptions.push(
      combineLatest(readers.map((r) => r.state$))
        .pipe(
          filter((states) => states.every((s) => s.kind === 'ready')),
          take(1),
        )
        .subscribe(() => this.becomeReady()),
    );
  }

  /** STOPPING, and no more messages. */
  stopping(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    for (const s of this.subscriptions) s.unsubscribe();
    this.loopDelay?.disable();
    this.options.supervisor.stopping();
  }

  private becomeReady(): void {
    if (this.isReady || this.stopped) return;
    this.isReady = true;
    const status = this.statusText();
    this.lastStatus = status;
    this.options.supervisor.ready(status);
    this.options.log.info('ready', { status });
    // Later reader changes (the first state of each is already in the READY status).
    this.subscriptions.push(merge(...this.options.readers.map((r) => r.state$.pipe(skip(1)))).subscribe(() => this.refreshStatus()));
    this.timers.push(unref(setInterval(() => this.refreshStatus(), STATUS_EVERY_MS)));
  }

  private refreshStatus(): void {
    if (!this.isReady || this.stopped) return;
    const status = this.statusText();
    if (status === this.lastStatus) return;
    this.lastStatus = status;
    this.options.supervisor.status(status);
  }

  private statusText(): string {
    const { problems, backlog } = this.options.state();
    const all = this.unhealthy === null ? problems : [this.unhealthy, ...problems];
    const state = all.length === 0 ? 'in service' : `out of service: ${all.join('; ')}`;
    return `${state} · ${backlog} ${backlog === 1 ? 'tap' : 'taps'} not yet synced`;
  }

  private startWatchdog(intervalMs: number): void {
    this.loopDelay = monitorEventLoopDelay({ resolution: 20 });
    this.loopDelay.enable();
    this.options.tapLoop.send();
    this.timers.push(unref(setInterval(() => this.tick(intervalMs), intervalMs)));
  }

  /** Pings when every door answered the probe sent one interval ago and the loop was not held; then probes again. */
  private tick(intervalMs: number): void {
    const { tapLoop, supervisor, log } = this.options;
    const stuck = tapLoop.stuck();
    const heldMs = (this.loopDelay?.max ?? 0) / 1e6;
    this.loopDelay?.reset();
    const why =
      stuck.length > 0
        ? `tap loop stuck at ${stuck.map((d) => `door ${d}`).join(', ')}: a tap has not finished in ${Math.round(intervalMs)} ms`
        : heldMs >= LOOP_STALL_MS
          ? `event loop held for ${Math.round(heldMs)} ms`
          : null;
    if (why === null) {
      supervisor.watchdog();
      if (this.unhealthy !== null) log.info('tap loop healthy again: watchdog pings resume');
    } else if (why !== this.unhealthy) {
      log.error(`${why}: watchdog pings withheld, so systemd restarts the validator if this lasts`);
    }
    const changed = why !== this.unhealthy;
    this.unhealthy = why;
    if (changed) this.refreshStatus();
    tapLoop.send();
  }
}

/** Timers here never keep the process alive on their own. */
function unref(timer: NodeJS.Timeout): NodeJS.Timeout {
  timer.unref();
  return timer;
}
