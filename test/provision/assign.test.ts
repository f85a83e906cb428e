// validator assign on a provisioned validator: only device.vehicle and device.route change, durably; the running daemon takes them at once.
import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assign } from '../../src/app/assign.ts';
import type { StatusReport } from '../../src/app/status-report.ts';
import { callControl } from '../../src/control/control-client.ts';
import { ErrorCode } from '../../src/domain/errors.ts';
import type { TapRecord } from '../../src/journal/types.ts';
import { useTempDir } from '../journal/helpers/temp-dir.ts';
import { Daemon } from '../support/daemon.ts';
import { bundleWithRoutes, DEVICE, provisionWith, refusal, startBackend, type Backend, type Target } from './helpers.ts';

const BIN = join(import.meta.dirname, '../../bin/validator.js');

function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('validator assign', { timeout: 60_000 }, () => {
  const dir = useTempDir();
  let backend: Backend;
  let target: Target;

  beforeEach(async () => {
    backend = await startBackend(join(dir.path, 'backend'));
    backend.publishBundle(bundleWithRoutes(join(dir.path, 'routed-bundle'), 'qom-1404.2'));
    // The daemon test's helper keeps its config beside the state directory.
    target = { stateDir: join(dir.path, 'state'), configFile: join(dir.path, 'config.json') };
    await provisionWith(target, { deviceId: DEVICE, backend: backend.url, code: backend.code(), vehicle: 'BUS-117', route: '12' });
  });
  afterEach(async () => {
    await backend.close();
  });

  const document = (): Record<string, Record<string, unknown>> => JSON.parse(readFileSync(target.configFile, 'utf8')) as Record<string, Record<string, unknown>>;

  it('changes device.vehicle and device.route and nothing else, keeping the file\'s mode', async () => {
    const before = document();
    const report = await assign({ configFile: target.configFile, stateDir: target.stateDir, change: { vehicle: 'BUS-200', route: '14' }, allowUnlistedRoute: false });
    expect(report).toMatchObject({ before: { vehicle: 'BUS-117', route: '12' }, after: { vehicle: 'BUS-200', route: '14' }, fileChanged: true, mode: 0o640, daemon: { kind: 'not-running' } });
    const after = document();
    expect(after).toEqual({ ...before, device: { ...before['device'], vehicle: 'BUS-200', route: '14' } });
    expect(statSync(target.configFile).mode & 0o777).toBe(0o640);

    const routeOnly = await assign({ configFile: target.configFile, stateDir: target.stateDir, change: { route: '12' }, allowUnlistedRoute: false });
    expect(routeOnly).toMatchObject({ before: { vehicle: 'BUS-200', route: '14' }, after: { vehicle: 'BUS-200', route: '12' } });
  });

  it('a bad value changes nothing, and says why', async () => {
    const bytes = readFileSync(target.configFile);
    const cases: [Parameters<typeof assign>[0]['change'], RegExp][] = [
      [{ vehicle: 'BUS 200' }, /^nothing was changed: vehicle "BUS 200": letters, digits, "\.", "_" and "-" only$/],
      [{ route: '' }, /^nothing was changed: route "": must not be empty$/],
      [{ vehicle: 'BUS-0000000000000000000000' }, /^nothing was changed: route, stop, vehicle and device take 35 characters .*the card holds 28 together/],
      [{ route: '99' }, /^nothing was changed: route 99 is in no fare bundle's route_networks\.txt \(qom-1404\.2 lists 12, 14\).*add --allow-unlisted-route$/],
      [{}, /^nothing to assign: give --vehicle V, --route R, or both$/],
    ];
    for (const [change, message] of cases) {
      const e = await refusal(assign({ configFile: target.configFile, stateDir: target.stateDir, change, allowUnlistedRoute: false }));
      expect(e.code).toBe(ErrorCode.BadRequest);
      expect(e.message).toMatch(message);
      expect(readFileSync(target.configFile)).toEqual(bytes);
    }
    const unlisted = await assign({ configFile: target.configFile, stateDir: target.stateDir, change: { route: '99' }, allowUnlistedRoute: true });
    expect(unlisted.after.route).toBe('99');
  });

  it('without a config file, says to provision first', async () => {
    const e = await refusal(assign({ configFile: join(dir.path, 'none.json'), stateDir: target.stateDir, change: { vehicle: 'BUS-1' }, allowUnlistedRoute: false }));
    expect(e.message).toMatch(/there is no config file at .*none\.json: provision this validator first/);
  });

  it('the running validator takes it at once: status, and the next tap\'s journal record; provisioning is refused beside it', async () => {
    const daemon = new Daemon(target.stateDir, document());
    await daemon.start();
    try {
      const run = await cli(['--state-dir', target.stateDir, 'assign', '--vehicle', 'BUS-200', '--route', '14', '--config', target.configFile]);
      expect(run.stderr).toBe('');
      expect(run.stdout).toBe(
        `bus BUS-117 → BUS-200\nroute 12 → 14\n${target.configFile} updated (mode 0640)\nthe running validator took it: the next tap is journaled with bus BUS-200 route 14\n`,
      );
      expect(run.code).toBe(0);
      const status = (await callControl(daemon.socket, 'status', {})) as StatusReport;
      expect(status.device).toMatchObject({ vehicle: 'BUS-200', route: '14' });
      await callControl(daemon.socket, 'tap', { profile: 'adult' }, { timeoutMs: 10_000 });
      const { records } = (await callControl(daemon.socket, 'taps', { since: 0 })) as { records: TapRecord[] };
      expect(records.at(-1)).toMatchObject({ vehicle: 'BUS-200', route: '14', device: DEVICE });

      // A change made to another file than the one it reads is not taken.
      const other = join(dir.path, 'other.json');
      copyFileSync(target.configFile, other);
      const elsewhere = await assign({ configFile: other, stateDir: target.stateDir, change: { vehicle: 'BUS-300' }, allowUnlistedRoute: false });
      expect(elsewhere.daemon).toEqual({ kind: 'refused', why: expect.stringMatching(/^this validator reads .*config\.json, not .*other\.json: it keeps bus BUS-200 route 14$/) as unknown });

      const beside = await refusal(provisionWith(target, { deviceId: DEVICE, backend: backend.url }));
      expect(beside.message).toMatch(/^nothing was changed: a validator is running on .*Stop it first \(systemctl stop validator\), provision, then start it$/);
    } finally {
      await daemon.stop('SIGTERM');
    }
  });
});
