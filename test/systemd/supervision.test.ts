import { BehaviorSubject, Subject } from 'rxjs';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Supervision, type ServiceState } from '../../src/app/supervision.ts';
import { SystemdSupervisor } from '../../src/app/systemd/systemd-supervisor.ts';
import { watchdogInterval } from '../../src/app/systemd/watchdog-interval.ts';
import { TapLoopProbe } from '../../src/app/tap-loop-probe.ts';
import { createLogger, silentLogger, type Logger } from '../../src/log/logger.ts';
import type { CardReader, ReaderState } from '../../src/ports/card-reader.ts';

/** A door: its reader's state, its cards, and a tap that ends when the test says so. */
class Door {
  readonly state = new BehaviorSubject<ReaderState>({ kind: 'ready', name: 'test reader' });
  readonly cards = new Subject<string>();
  readonly reader: CardReader;
  private release: (() => void) | null = null;

  constructor(
    readonly id: string,
    probe: TapLoopProbe,
  ) {
    this.reader = { id, state$: this.state.asObservable(), presentations$: new Subject<never>(), close: () => Promise.resolve() };
    // 'hang' never ends until release(); any other card ends at once.
    probe.queue(id, this.cards, (card) => (card === 'hang' ? new Promise<void>((resolve) => (this.release = resolve)) : Promise.resolve())).subscribe();
  }

  unhang(): void {
    this.release?.();
  }
}

/** The messages a supervisor was sent, in order, as sd_notify lines. */
function recording(watchdogIntervalMs: number | null): { supervisor: SystemdSupervisor; lines: string[] } {
  const lines: string[] = [];
  const supervisor = new SystemdSupervisor((state) => lines.push(...state.split('\n').filter((l) => l !== '')), watchdogIntervalMs);
  return { supervisor, lines };
}

/** Waits until `done()` holds (a loaded machine runs 20 ms timers late), failing after 5 s. */
async function until(done: () => boolean): Promise<void> {
  for (const start = Date.now(); !done(); await delay(10)) {
    if (Date.now() - start > 5_000) throw new Error('condition not met within 5 s');
  }
}

const running: Supervision[] = [];
afterEach(() => {
  for (const s of running.splice(0)) s.stopping();
  vi.useRealTimers();
});

function supervise(options: { interval: number | null; doors: Door[]; probe: TapLoopProbe; state?: () => ServiceState; settleMs?: number; log?: Logger }) {
  const { supervisor, lines } = recording(options.interval);
  const supervision = new Supervision({
    supervisor,
    tapLoop: options.probe,
    readers: options.doors.map((d) => d.reader),
    state: options.state ?? (() => ({ problems: [], backlog: 0 })),
    log: options.log ?? silentLogger,
    readersSettleMs: options.settleMs ?? 5_000,
  });
  running.push(supervision);
  supervision.start();
  return { supervision, lines };
}

describe('READY', () => {
  it('waits until every door has its reader, then says in service', async () => {
    const probe = new TapLoopProbe();
    const front = new Door('front', probe);
    const rear = new Door('rear', probe);
    rear.state.next({ kind: 'absent', reason: 'connecting to pcscd' });
    const { lines } = supervise({ interval: null, doors: [front, rear], probe });
    await delay(50);
    expect(lines).toEqual([]);
    rear.state.next({ kind: 'ready', name: 'test reader' });
    expect(lines).toEqual(['READY=1', 'STATUS=in service · 0 taps not yet synced']);
  });

  it('comes after the settle time with a reader still absent, its door out of service in STATUS', async () => {
    const probe = new TapLoopProbe();
    const front = new Door('front', probe);
    front.state.next({ kind: 'absent', reason: 'no PC/SC reader matches /ACR/' });
    const problems = ['reader front absent: no PC/SC reader matches /ACR/'];
    const { lines } = supervise({ interval: null, doors: [front], probe, settleMs: 100, state: () => ({ problems, backlog: 3 }) });
    await delay(30);
    expect(lines).toEqual([]);
    await delay(150);
    expect(lines).toEqual(['READY=1', 'STATUS=out of service: reader front absent: no PC/SC reader matches /ACR/ · 3 taps not yet synced']);
  });

  it('sends STATUS again only when it changes', () => {
    const probe = new TapLoopProbe();
    const front = new Door('front', probe);
    let problems: string[] = [];
    const { lines } = supervise({ interval: null, doors: [front], probe, state: () => ({ problems, backlog: 1 }) });
    front.state.next({ kind: 'ready', name: 'same reader, again' });
    problems = ['reader front absent: unplugged'];
    front.state.next({ kind: 'absent', reason: 'unplugged' });
    front.state.next({ kind: 'absent', reason: 'unplugged' });
    expect(lines).toEqual([
      'READY=1',
      'STATUS=in service · 1 tap not yet synced',
      'STATUS=out of service: reader front absent: unplugged · 1 tap not yet synced',
    ]);
  });
});

describe('WATCHDOG', () => {
  it('pings at its interval while every door\'s tap queue moves, cards or not', async () => {
    const probe = new TapLoopProbe();
    const front = new Door('front', probe);
    const { lines } = supervise({ interval: 20, doors: [front], probe });
    front.cards.next('adult');
    const start = Date.now();
    await until(() => lines.filter((l) => l === 'WATCHDOG=1').length >= 5);
    // Five pings take at least four ticks, each half the supervisor's interval (a quarter of systemd's timeout).
    expect(Date.now() - start).toBeGreaterThanOrEqual(4 * 10 - 5);
  });

  it('goes on pinging through one probe missed (a slow tap), and calls a door stuck at the second in a row', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const probe = new TapLoopProbe();
    const front = new Door('front', probe);
    // A 1000 ms interval: a tick (probe, and ping) every 500 ms.
    const { lines } = supervise({ interval: 1000, doors: [front], probe });
    const pings = (): number => lines.filter((l) => l === 'WATCHDOG=1').length;
    await vi.advanceTimersByTimeAsync(510);
    expect(pings()).toBe(1);

    // A slow tap (t = 510 to 1700 ms): the probe sent at 1000 is still behind it at 1500, once. Pings go on.
    front.cards.next('hang');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(probe.stuck()).toEqual(['front']);
    expect(pings()).toBe(3);
    await vi.advanceTimersByTimeAsync(190);
    front.unhang();
    await vi.advanceTimersByTimeAsync(310);
    expect(pings()).toBe(4);
    expect(lines.filter((l) => l.startsWith('STATUS='))).toEqual(['STATUS=in service · 0 taps not yet synced']);

    // A tap that never ends (from t = 2010): a ping at 2500 (nothing behind it yet) and at 3000 (its first
    // miss), then at 3500 the second miss: STATUS says so, and no ping from then on.
    front.cards.next('hang');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(pings()).toBe(6);
    expect(lines.at(-1)).toBe('WATCHDOG=1');
    await vi.advanceTimersByTimeAsync(500);
    expect(lines.at(-1)).toBe('STATUS=out of service: tap loop stuck at door front: its tap queue has been held for 1000 ms · 0 taps not yet synced');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(pings()).toBe(6);
  });

  it('does not withhold a ping for an event loop held a while ago, and logs it', async () => {
    const warnings: string[] = [];
    const log = createLogger({ level: 'warn', format: 'json', write: (line) => warnings.push((JSON.parse(line) as { msg: string }).msg) });
    const probe = new TapLoopProbe();
    const front = new Door('front', probe);
    const { lines } = supervise({ interval: 200, doors: [front], probe, log });
    await until(() => lines.includes('WATCHDOG=1'));
    // The loop held 1.2 s, as a prune on a slow SD card could; the next tick shows it runs again.
    for (const end = Date.now() + 1_200; Date.now() < end; );
    const after = lines.length;
    await until(() => lines.slice(after).filter((l) => l === 'WATCHDOG=1').length >= 2);
    expect(lines.filter((l) => l.startsWith('STATUS=out of service'))).toEqual([]);
    // Said once, by the first tick after it.
    expect(warnings.filter((w) => w.startsWith('event loop held'))).toEqual([expect.stringMatching(/^event loop held for 1\d{3} ms/)]);
  });

  it('stops pinging while a door\'s tap never ends, says which in STATUS, and resumes when it ends', async () => {
    const probe = new TapLoopProbe();
    const front = new Door('front', probe);
    const rear = new Door('rear', probe);
    const { lines } = supervise({ interval: 20, doors: [front, rear], probe });
    await until(() => lines.includes('WATCHDOG=1'));
    front.cards.next('hang');
    const stuck = (l: string): boolean => l.startsWith('STATUS=out of service: tap loop stuck at door front');
    await until(() => lines.some(stuck));
    const stuckAt = lines.findIndex(stuck);
    await delay(150);
    // The rear door's taps go on, but a stuck door is enough: no ping at all since.
    rear.cards.next('adult');
    await delay(50);
    expect(lines.slice(stuckAt).filter((l) => l === 'WATCHDOG=1')).toEqual([]);
    expect(probe.stuck()).toEqual(['front']);

    front.unhang();
    const healthy = 'STATUS=in service · 0 taps not yet synced';
    await until(() => lines.lastIndexOf(healthy) > stuckAt && lines.slice(lines.lastIndexOf(healthy)).includes('WATCHDOG=1'));
  });

  it('sends STOPPING=1 at shutdown and nothing after it', async () => {
    const probe = new TapLoopProbe();
    const front = new Door('front', probe);
    const { supervision, lines } = supervise({ interval: 20, doors: [front], probe });
    await until(() => lines.includes('WATCHDOG=1'));
    supervision.stopping();
    const count = lines.length;
    await delay(80);
    expect(lines.at(-1)).toBe('STOPPING=1');
    expect(lines).toHaveLength(count);
  });
});

describe('watchdogInterval (sd_watchdog_enabled(3))', () => {
  it('is half of WATCHDOG_USEC, in ms', () => {
    expect(watchdogInterval({ WATCHDOG_USEC: '10000000' }, 42)).toEqual({ ms: 5000 });
    expect(watchdogInterval({ WATCHDOG_USEC: '10000000', WATCHDOG_PID: '42' }, 42)).toEqual({ ms: 5000 });
  });

  it('is off without WATCHDOG_USEC, for another process, or with values that are not numbers', () => {
    expect(watchdogInterval({}, 42).ms).toBeNull();
    expect(watchdogInterval({ WATCHDOG_USEC: '10000000', WATCHDOG_PID: '41' }, 42)).toEqual({ ms: null, why: 'WATCHDOG_PID=41 is another process (this is 42)' });
    expect(watchdogInterval({ WATCHDOG_USEC: '10s' }, 42).ms).toBeNull();
    expect(watchdogInterval({ WATCHDOG_USEC: '0' }, 42).ms).toBeNull();
    expect(watchdogInterval({ WATCHDOG_USEC: '10000000', WATCHDOG_PID: 'self' }, 42).ms).toBeNull();
  });
});

describe('SystemdSupervisor', () => {
  it('sends one message per call, newline-terminated, with STATUS kept to one line', () => {
    const sent: string[] = [];
    const supervisor = new SystemdSupervisor((state) => sent.push(state), 5000);
    supervisor.ready('in service');
    supervisor.status('out of service: disk\nfull\r\nREADY=0');
    supervisor.watchdog();
    supervisor.stopping();
    expect(sent).toEqual(['READY=1\nSTATUS=in service\n', 'STATUS=out of service: disk full READY=0\n', 'WATCHDOG=1\n', 'STOPPING=1\n']);
  });
});
