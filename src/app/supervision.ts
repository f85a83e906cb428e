import { combineLatest, filter, merge, skip, take, type Subscription } from 'rxjs';
import type { Logger } from '../log/logger.ts';
import type { CardReader } from '../ports/card-reader.ts';
import type { ServiceSupervisor } from '../ports/service-supervisor.ts';
import { serviceSummary } from './status-report.ts';
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
/** An event loop held this long has had taps miss their 300 ms budget: said in the log (the tick that sees it proves the loop runs again). */
const LOOP_STALL_MS = 1_000;
/**
 * How often the loop is sampled for stalls: a gap between two samples longer than this is the loop held.
 * Not perf_hooks' monitorEventLoopDelay: its reset() at a tick forgets a stall the tick runs right after
 * (Node runs the timers that fell due during it before the monitor records it), so most went unseen.
 */
const LOOP_SAMPLE_MS = 100;
/**
 * Probes (and pings, when healthy) per watchdog interval. The supervisor's interval is half systemd's
 * timeout; probing twice as often, a quarter of it, leaves room for one withheld ping: after the last ping
 * three more ticks come before systemd's deadline.
 */
const TICKS_PER_INTERVAL = 2;
/**
 * A door is stuck when its tap queue has missed this many probes in a row: its queue has not let a probe
 * through for two ticks (half systemd's timeout, 5 s under WatchdogSec=10). One miss is a slow tap, not a
 * wedged one; it withholds nothing.
 */
const STUCK_AFTER_MISSES = 2;

/**
 * Keeps the service manager told: READY once the readers are up (or have had READERS_SETTLE_MS to come
 * up), STATUS on every change of state, WATCHDOG only while every door's tap queue moves, STOPPING at
 * shutdown.
 *
 * A door whose reader is absent at boot does not hold READY back: the validator is ready, and STATUS says
 * that door is out of service and why. Its reader comes back by itself (docs/architecture.md); withholding
 * READY would only have systemd kill and restart a daemon that journals and syncs correctly meanwhile.
 */
export class Supervision {
  private readonly subscriptions: Subscription[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  /** When the loop was last seen running, and the longest gap seen since the last tick (ms, performance.now()). */
  private loopSeenAt = 0;
  private longestLoopGap = 0;
  private isReady = false;
  private stopped = false;
  private lastStatus: string | null = null;
  /** Why the last watchdog ping was withheld; null while healthy. */
  private unhealthy: string | null = null;
  /** Door → probes missed in a row; a door that answered the last probe is not in it. */
  private readonly misses = new Map<string, number>();

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
    return `${serviceSummary(all)} · ${backlog} ${backlog === 1 ? 'tap' : 'taps'} not yet synced`;
  }

  private startWatchdog(intervalMs: number): void {
    const tickMs = intervalMs / TICKS_PER_INTERVAL;
    this.loopSeenAt = performance.now();
    this.timers.push(unref(setInterval(() => this.loopRuns(), LOOP_SAMPLE_MS)));
    this.options.tapLoop.send();
    this.timers.push(unref(setInterval(() => this.tick(tickMs), tickMs)));
  }

  /** Notes the longest the event loop has been held since it was last seen running. */
  private loopRuns(): number {
    const now = performance.now();
    this.longestLoopGap = Math.max(this.longestLoopGap, now - this.loopSeenAt);
    this.loopSeenAt = now;
    return this.longestLoopGap;
  }

  /**
   * Pings unless a door has missed STUCK_AFTER_MISSES probes in a row; then probes again. A wedged door
   * stops the pings within two ticks of wedging, and systemd restarts the validator one timeout after the
   * last ping (docs/systemd.md, "Watchdog: time to restart"). An event loop held a while ago withholds
   * nothing: this tick running shows it runs again, and withholding would only bring systemd's deadline
   * closer; it is logged.
   */
  private tick(tickMs: number): void {
    const { tapLoop, supervisor, log } = this.options;
    const behind = new Set(tapLoop.stuck());
    for (const door of this.misses.keys()) if (!behind.has(door)) this.misses.delete(door);
    for (const door of behind) this.misses.set(door, (this.misses.get(door) ?? 0) + 1);
    const stuck = [...this.misses].filter(([, n]) => n >= STUCK_AFTER_MISSES).map(([door]) => door);

    const heldMs = this.loopRuns() - LOOP_SAMPLE_MS;
    this.longestLoopGap = 0;
    if (heldMs >= LOOP_STALL_MS) log.warn(`event loop held for ${Math.round(heldMs)} ms: any tap meanwhile missed its budget`);

    const why =
      stuck.length > 0
        ? `tap loop stuck at ${stuck.map((d) => `door ${d}`).join(', ')}: its tap queue has been held for ${Math.round(STUCK_AFTER_MISSES * tickMs)} ms`
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
