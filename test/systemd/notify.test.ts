import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { callControl } from '../../src/control/control-client.ts';
import { controlSocketPath } from '../../src/control/socket-path.ts';
import type { TapOutcome } from '../../src/pipeline/tap-outcome.ts';
import { ChildDaemon, describeWhen, FakeNotifySocket, missingCommand } from './helpers.ts';

// The real daemon (`validator run --simulate`, a child process) against a fake NOTIFY_SOCKET read by socat.
const describeWithSocat = describeWhen(missingCommand('socat', ['-V']));
const STARTUP_MS = 60_000;

describeWithSocat('sd_notify from the daemon', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qom-notify-'));
  const stateDir = join(dir, 'state');
  let notify: FakeNotifySocket;
  let daemon: ChildDaemon;
  let readyAt = 0;

  beforeAll(async () => {
    notify = await FakeNotifySocket.open(join(dir, 'notify.sock'));
    // A 1 s watchdog: pings every 250 ms.
    daemon = ChildDaemon.start(stateDir, { NOTIFY_SOCKET: notify.address, WATCHDOG_USEC: '1000000' });
    readyAt = (await notify.next((l) => l === 'READY=1', STARTUP_MS)).at;
  }, STARTUP_MS + 5_000);

  afterAll(async () => {
    await daemon?.stop('SIGKILL');
    await notify?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends READY=1 with its STATUS once the control socket answers', async () => {
    const lines = notify.lines();
    const ready = lines.indexOf('READY=1');
    expect(lines[ready + 1]).toBe('STATUS=in service · 0 taps not yet synced');
    expect(lines.slice(0, ready).every((l) => l === 'WATCHDOG=1')).toBe(true);
    await expect(callControl(controlSocketPath(stateDir), 'status', {}, { timeoutMs: 5_000 })).resolves.toMatchObject({ problems: [] });
  });

  it('sends WATCHDOG=1 every quarter of WATCHDOG_USEC while taps go through', async () => {
    const from = performance.now();
    const { outcomes } = (await callControl(controlSocketPath(stateDir), 'tap', { profile: 'adult', reader: 'front' }, { timeoutMs: 20_000 })) as {
      outcomes: TapOutcome[];
    };
    expect(outcomes.at(-1)?.notice.kind).toBe('accepted');
    await delay(2_600 - (performance.now() - from));
    const pings = notify.notices.filter((n) => n.line === 'WATCHDOG=1' && n.at >= from && n.at > readyAt);
    // Ten in 2.6 s at 250 ms; a loaded machine may run a timer late.
    expect(pings.length).toBeGreaterThanOrEqual(6);
    expect(pings.length).toBeLessThanOrEqual(11);
  }, 30_000);

  it('sends STATUS when it changes: the tap is now waiting to be synced', async () => {
    await notify.next((l) => l === 'STATUS=in service · 1 tap not yet synced', 10_000);
  }, 15_000);

  it('withholds WATCHDOG=1 once a door\'s tap never ends (its reader hangs mid-write), and STATUS says which', async () => {
    const hungAt = performance.now();
    void callControl(controlSocketPath(stateDir), 'tap', { profile: 'hung-reader', reader: 'front' }, { timeoutMs: 30_000 }).catch(() => undefined);
    const stuck = await notify.next((l) => l.startsWith('STATUS=out of service: tap loop stuck at door front'), 10_000, hungAt);
    // Twelve ticks without a ping: systemd (WatchdogSec=1 here) would have killed and restarted it.
    await delay(3_000);
    expect(notify.notices.filter((n) => n.line === 'WATCHDOG=1' && n.at > stuck.at)).toEqual([]);
    // The process itself runs on: the other door still takes taps. The watchdog is about the tap loop.
    const { outcomes } = (await callControl(controlSocketPath(stateDir), 'tap', { profile: 'student', reader: 'rear' }, { timeoutMs: 20_000 })) as {
      outcomes: TapOutcome[];
    };
    expect(outcomes.at(-1)?.notice.kind).toBe('accepted');
    expect(notify.notices.filter((n) => n.line === 'WATCHDOG=1' && n.at > stuck.at)).toEqual([]);
  }, 40_000);
});

describeWithSocat('the daemon under systemd\'s other forms', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qom-notify-abstract-'));

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reaches an abstract NOTIFY_SOCKET ("@name"), logs with journald priorities on the journal\'s stream, and sends STOPPING=1 at SIGTERM', async () => {
    const notify = await FakeNotifySocket.open(`@qom-validator-test-${process.pid}-${Date.now()}`);
    // stderr is a file, and JOURNAL_STREAM names it, as systemd names the journal's stream.
    const logFile = join(dir, 'stderr.log');
    const fd = openSync(logFile, 'w');
    const stat = fstatSync(fd, { bigint: true });
    const daemon = ChildDaemon.start(join(dir, 'state'), { NOTIFY_SOCKET: notify.address, JOURNAL_STREAM: `${stat.dev}:${stat.ino}` }, { stderrFd: fd });
    closeSync(fd);
    try {
      await notify.next((l) => l === 'READY=1', STARTUP_MS);
      expect(await daemon.stop('SIGTERM')).toBe(0);
      expect(notify.lines().at(-1)).toBe('STOPPING=1');
      // No watchdog asked for (no WATCHDOG_USEC): no pings.
      expect(notify.lines()).not.toContain('WATCHDOG=1');
      const lines = readFileSync(logFile, 'utf8').trim().split('\n');
      expect(lines.length).toBeGreaterThan(5);
      expect(lines.every((l) => /^<[3467]>validator[:\w-]*: /.test(l))).toBe(true);
      expect(lines).toContainEqual(expect.stringMatching(/^<6>validator:systemd: ready status=in service/));
      expect(daemon.stdout.join('')).toBe('');
    } finally {
      await daemon.stop('SIGKILL');
      await notify.close();
    }
  }, STARTUP_MS + 15_000);
});
