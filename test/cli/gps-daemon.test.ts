import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../src/app/status-report.ts';
import { callControl } from '../../src/control/control-client.ts';
import type { TapOutcome } from '../../src/pipeline/tap-outcome.ts';
import { Daemon } from '../support/daemon.ts';
import { SocatPty, socatMissing } from '../support/socat-pty.ts';

const SAMPLE_FARES = join(import.meta.dirname, '../../fares/qom-1404');

/** RMC sentences (checksums included) at two of the sample bundle's stops, and between them. */
const AT_S101 = rmc('3438.5062', '05052.7388');
const AT_S102 = rmc('3438.7150', '05053.0052');
const BETWEEN = rmc('3438.6200', '05052.8700');

function rmc(lat: string, lon: string): string {
  const body = `GPRMC,120000.000,A,${lat},N,${lon},E,0.0,0.0,010625,,,A`;
  let sum = 0;
  for (const c of body) sum ^= c.charCodeAt(0);
  return `$${body}*${sum.toString(16).toUpperCase().padStart(2, '0')}\r\n`;
}

interface Setup {
  readonly daemon: Daemon;
  readonly root: string;
}

let running: Setup | null = null;
afterEach(async () => {
  await running?.daemon.stop('SIGTERM');
  if (running) rmSync(running.root, { recursive: true, force: true });
  running = null;
});

async function startDaemon(gps: object, bundle: (root: string) => string | null = () => null): Promise<Daemon> {
  const root = mkdtempSync(join(tmpdir(), 'gps-daemon-'));
  const stateDir = join(root, 'state');
  mkdirSync(stateDir);
  // No repeat window: the same simulated card taps again and again, each a new boarding with its own record.
  const fares = { repeatWindowSeconds: 0, bundle: bundle(root) };
  const daemon = new Daemon(stateDir, { simulation: { exchangeLatencyMs: 1 }, fares, gps });
  running = { daemon, root };
  await daemon.start();
  return daemon;
}

const status = async (d: Daemon): Promise<StatusReport> => (await callControl(d.socket, 'status', {})) as StatusReport;
const tap = async (d: Daemon): Promise<TapOutcome> => {
  const { outcomes } = (await callControl(d.socket, 'tap', { profile: 'adult' })) as { outcomes: TapOutcome[] };
  const outcome = outcomes[0];
  if (!outcome) throw new Error('no outcome');
  return outcome;
};

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > deadline) return v;
    await delay(50);
  }
}

describe('the daemon with GPS', { timeout: 60_000 }, () => {
  it('simulated, standing at the first stop: status shows the fix and stop, a tap records both', async () => {
    const daemon = await startDaemon({ simulate: 'fixed' });
    const report = await status(daemon);
    expect(report.gps).toMatchObject({ source: 'simulated', status: 'fix', stop: 'S-101', clockErrorMs: 0, fix: { lat: 34.64177, lon: 50.87898 } });
    expect(report.device.stop).toBe('S-101');
    const outcome = await tap(daemon);
    expect(outcome.notice.kind).toBe('accepted');
    expect(outcome.records[0]).toMatchObject({ stop: 'S-101', position: { lat: 34.64177, lon: 50.87898 } });
  });

  it('an area fare follows the stop GPS names: the sample bundle with S-101 in a cheaper centre area', async () => {
    const daemon = await startDaemon({ simulate: 'fixed' }, (root) => {
      const dir = join(root, 'centre-bundle');
      cpSync(SAMPLE_FARES, dir, { recursive: true });
      writeFileSync(join(dir, 'areas.txt'), 'area_id,area_name\ncentre,City centre\n');
      writeFileSync(join(dir, 'stop_areas.txt'), 'area_id,stop_id\ncentre,S-101\n');
      appendFileSync(join(dir, 'fare_products.txt'), 'centre_boarding,Centre boarding,adult,qom_card,25000,IRR\n');
      appendFileSync(join(dir, 'fare_leg_rules.txt'), 'city_bus,,centre,,,,centre_boarding,2\n');
      return dir;
    });
    const outcome = await tap(daemon);
    expect(outcome.notice).toMatchObject({ kind: 'accepted', fare: 25_000 });
    expect(outcome.records[0]).toMatchObject({ stop: 'S-101', fare: 25_000 });
  });

  const skip = socatMissing();
  it.skipIf(skip !== null)(`on a serial receiver (socat): stop and position per tap, none unplugged, back when replugged${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const ptyDir = mkdtempSync(join(tmpdir(), 'gps-daemon-pty-'));
    let pty = await SocatPty.start(ptyDir);
    try {
      const daemon = await startDaemon({ port: pty.port, reconnectSeconds: 0.1, staleAfterSeconds: 2 });
      await pty.write(AT_S102);
      const fixed = await until(() => status(daemon), (r) => r.gps?.stop === 'S-102');
      expect(fixed.gps).toMatchObject({ status: 'fix', stop: 'S-102', source: pty.port });
      // The receiver's date is 2025-06-01: the system clock is far ahead of it, and status says so.
      expect(fixed.gps?.clockErrorMs).toBeLessThan(0);
      expect((await tap(daemon)).records[0]).toMatchObject({ stop: 'S-102', position: { lat: expect.closeTo(34.64525, 5) as number } });

      // Between two stops, farther than 40 m + hysteresis from both: no stop, the position still recorded.
      await pty.write(BETWEEN);
      await until(() => status(daemon), (r) => r.gps?.stop === null);
      expect((await tap(daemon)).records[0]).toMatchObject({ stop: null, position: { lat: expect.closeTo(34.64367, 5) as number } });

      // Unplugged: taps go on, without a stop or a position.
      await pty.stop();
      const gone = await until(() => status(daemon), (r) => r.gps?.status === 'no-receiver');
      expect(gone.gps).toMatchObject({ status: 'no-receiver', stop: null, fix: null });
      expect(gone.problems).toEqual([]);
      const unplugged = await tap(daemon);
      expect(unplugged.notice.kind).toBe('accepted');
      expect(unplugged.records[0]).toMatchObject({ stop: null, position: null });

      // Replugged: the daemon reopens the port by itself.
      pty = await SocatPty.start(ptyDir);
      await until(() => status(daemon), (r) => r.gps?.status === 'no-fix');
      await pty.write(AT_S101);
      const back = await until(() => status(daemon), (r) => r.gps?.stop === 'S-101');
      expect(back.gps?.status).toBe('fix');

      // Silent: stale after staleAfterSeconds, and no stop.
      const stale = await until(() => status(daemon), (r) => r.gps?.status === 'stale', 5000);
      expect(stale.gps).toMatchObject({ status: 'stale', stop: null, fix: null });
    } finally {
      await pty.stop();
      rmSync(ptyDir, { recursive: true, force: true });
    }
  });
});
