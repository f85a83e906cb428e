// npm start's sync from a fresh state directory: the daemon starts the reference receiver beside it, enrolls
// itself, and the CLI's sync now, status, export and the receiver's admin commands work against it.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusDocument } from '../../src/app/diagnosis/status-document.ts';
import { callControl } from '../../src/control/control-client.ts';
import { controlSocketPath } from '../../src/control/socket-path.ts';

const BIN = join(import.meta.dirname, '../../bin/validator.js');

function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('the daemon with its local sync receiver (npm start)', { timeout: 60_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'qom-sync-daemon-'));
  const stateDir = join(root, 'state');
  const at = ['--state-dir', stateDir];
  const output: string[] = [];
  let child: ChildProcess;

  beforeAll(async () => {
    mkdirSync(stateDir);
    const config = join(root, 'config.json');
    writeFileSync(config, JSON.stringify({ simulation: { exchangeLatencyMs: 1 }, sync: { intervalSeconds: 3600 } }));
    child = spawn(process.execPath, [BIN, 'run', '--simulate', '--local-backend', '--no-panel', ...at, '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (b: Buffer) => output.push(b.toString()));
    child.stderr?.on('data', (b: Buffer) => output.push(b.toString()));
    const deadline = Date.now() + 40_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`validator exited while starting:\n${output.join('')}`);
      try {
        await callControl(controlSocketPath(stateDir), 'status', {}, { timeoutMs: 1_000 });
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`validator did not answer within 40 s:\n${output.join('')}`);
        await delay(100);
      }
    }
  }, 45_000);

  afterAll(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(root, { recursive: true, force: true });
  });

  it('enrolls itself, uploads on sync now, takes a published deny list, exports nothing once synced, and stops cleanly', async () => {
    expect(output.join('')).toMatch(/enrolled QOM-DEV-0001 with the local receiver/);
    expect((await cli(['tap', 'adult', ...at])).code).toBe(0);
    const round = await cli(['sync', 'now', '--json', ...at]);
    expect(round.code).toBe(0);
    expect(JSON.parse(round.stdout)).toMatchObject({ result: { ok: true, uploaded: 1, syncedThrough: 1 } });

    const added = await cli(['backend', '--data', join(stateDir, 'backend'), 'deny', 'add', '6037990000000099', '--reason', 'test']);
    expect(added.stdout).toMatch(/deny list version 1 published/);
    expect((await cli(['sync', 'now', ...at])).code).toBe(0);
    const status = JSON.parse((await cli(['status', '--json', ...at])).stdout) as StatusDocument;
    expect(status.denyList.version).toBe('1');
    expect(status.journal.syncedThrough).toBe(status.journal.lastSeq);
    expect(status.backlog).toMatchObject({ taps: 0, oldestUnsyncedAt: null });
    expect(status.sync).toMatchObject({ enrolled: true, enrolledAs: 'QOM-DEV-0001', problem: null, failures: 0 });
    expect(status.sync.backend).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Date.parse(status.sync.lastSuccessAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect(status.denyList.appliedAt).not.toBeNull();
    expect(status.clock.backendErrorMs).not.toBeNull();

    expect((await cli(['export', '--to', join(root, 'usb'), ...at])).stdout).toMatch(/nothing to export/);

    const exited = once(child, 'exit') as Promise<[number | null]>;
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
  });
});
