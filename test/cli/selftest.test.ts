// `validator selftest` against a healthy simulated setup (the daemon, and the reference receiver as the backend,
// enrolled as a technician would), then with one thing broken at a time: each a FAIL line with what to do, exit 1.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/app/selftest/check.ts';
import { Daemon } from '../support/daemon.ts';

const BIN = join(import.meta.dirname, '../../bin/validator.js');

function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

/** `validator backend` as its own process on a free loopback port; resolves with its URL. */
async function startBackend(data: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'backend', '--port', '0', '--data', data], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the backend did not start within 20 s')), 20_000);
    lines.on('line', (line) => {
      const m = /listening on (http:\/\/[0-9.:]+)/.exec(line);
      if (!m?.[1]) return;
      clearTimeout(timer);
      resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`the backend exited with ${code}`)));
  });
  return { child, url };
}

/** The line of a check, with its "→" line when there is one. */
function line(stdout: string, name: string): string {
  const lines = stdout.split('\n');
  const i = lines.findIndex((l) => l.slice(6).startsWith(`${name} `));
  if (i < 0) return '';
  return lines[i + 1]?.trimStart().startsWith('→') ? `${lines[i]}\n${lines[i + 1]}` : (lines[i] ?? '');
}

function verdicts(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of stdout.split('\n')) {
    const m = /^(PASS|FAIL|SKIP) {2}(.{14}) {2}/.exec(l);
    if (m?.[1] && m[2]) out[m[2].trim()] = m[1];
  }
  return out;
}

describe('validator selftest on a simulated setup', { timeout: 90_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'qom-selftest-'));
  const stateDir = join(root, 'state');
  mkdirSync(stateDir);
  const config = join(root, 'config.json');
  const keyFile = join(stateDir, 'device-key.pem');
  const daemon = new Daemon(stateDir, { simulation: { exchangeLatencyMs: 1 }, sync: { intervalSeconds: 3600 } });
  const at = ['--state-dir', stateDir];
  // Without the daemon: the same config it ran with; short device waits.
  const stopped = ['selftest', ...at, '--config', config, '--timeout', '5'];
  let backend: { child: ChildProcess; url: string };

  beforeAll(async () => {
    backend = await startBackend(join(root, 'backend'));
    const code = (await cli(['backend', '--data', join(root, 'backend'), 'code'])).stdout.trim();
    const enrolled = await cli(['enroll', '--backend', backend.url, '--code', code, '--device-id', 'QOM-DEV-0001', ...at]);
    expect(enrolled.code).toBe(0);
    await daemon.start();
    expect((await cli(['tap', 'adult', ...at])).code).toBe(0);
    expect((await cli(['tap', 'student', ...at])).code).toBe(0);
    const synced = await cli(['sync', 'now', ...at]);
    expect(synced.code).toBe(0);
    // The backlog it drained, said on stderr (not a terminal: one final line for so short a round).
    expect(synced.stderr).toBe('sync: 2 taps uploaded\n');
  }, 60_000);

  afterAll(async () => {
    await daemon.stop('SIGKILL');
    if (backend.child.exitCode === null) backend.child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  it('passes with the service running: devices from its status (it says so), the journal chain skipped, the backend signed and reached; exit 0', async () => {
    const run = await cli(['selftest', ...at]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^validator selftest · .* · the service runs \(pid \d+, simulation\): it holds the devices, their results come from it$/m);
    expect(verdicts(run.stdout)).toEqual({
      config: 'PASS',
      'state dir': 'PASS',
      journal: 'PASS',
      'journal chain': 'SKIP',
      'device key': 'PASS',
      enrollment: 'PASS',
      'card keys': 'SKIP',
      'deny list': 'PASS',
      fares: 'PASS',
      'reader front': 'PASS',
      'reader rear': 'PASS',
      'display front': 'PASS',
      'display rear': 'PASS',
      gps: 'PASS',
      backend: 'PASS',
      clock: 'PASS',
    });
    expect(line(run.stdout, 'journal')).toMatch(/writable, 2 records, last seq 2 \(from the running validator, which holds the device\)$/);
    expect(line(run.stdout, 'journal chain')).toContain('→ to verify the hash chain: sudo systemctl stop validator && validator selftest');
    expect(line(run.stdout, 'reader front')).toMatch(/"simulated reader, front door" \(from the running validator/);
    expect(line(run.stdout, 'device key')).toMatch(/device-key\.pem: Ed25519, mode 0600$/);
    expect(line(run.stdout, 'backend')).toMatch(/accepts this device's signed request as QOM-DEV-0001; deny list sim-1 is current$/);
    expect(line(run.stdout, 'clock')).toMatch(/\d\.\d s (behind|ahead of) the backend \(±1 s\), \d\.\d s (behind|ahead of) GPS$/);
    expect(run.stdout).toMatch(/\nselftest: 14 passed, 0 failed, 2 skipped\n$/);

    const json = await cli(['selftest', '--json', ...at]);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as { running: boolean; mode: string; failed: number; results: CheckResult[] };
    expect(doc).toMatchObject({ running: true, mode: 'simulation', failed: 0 });
    expect(doc.results.find((r) => r.name === 'backend')).toMatchObject({ verdict: 'pass', fix: null });
  });

  it('passes with the service stopped: the journal chain verified, simulated devices skipped, the backend still reached', async () => {
    expect(await daemon.stop('SIGTERM')).toBe(0);
    const run = await cli(stopped);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/the service is not running \(simulation\): devices are opened here$/m);
    expect(line(run.stdout, 'journal chain')).toMatch(/^PASS {2}journal chain {3}2 records verified: SQLite integrity, no gap in seq, every hash and link, every debit intent$/);
    expect(line(run.stdout, 'reader front')).toMatch(/^SKIP {2}reader front/);
    expect(line(run.stdout, 'backend')).toMatch(/^PASS {2}backend/);
    expect(run.stdout).not.toMatch(/^FAIL/m);
  });

  it('fails the journal chain when a record was changed after it was written, and says to keep the file', async () => {
    const journal = join(stateDir, 'journal.db');
    copyFileSync(journal, join(root, 'journal.backup'));
    const db = new Database(journal);
    db.prepare('UPDATE taps SET fare = fare - 1000 WHERE seq = 1').run();
    db.close();
    try {
      const run = await cli(stopped);
      expect(run.code).toBe(1);
      expect(line(run.stdout, 'journal chain')).toMatch(
        /^FAIL {2}journal chain {3}1 problem: record 1: hash does not match its contents \(the row was changed after it was written\)\n {22}→ do not delete or edit it: keep a copy/,
      );
      expect(verdicts(run.stdout)).toMatchObject({ journal: 'PASS', 'device key': 'PASS', backend: 'PASS' });
      expect(run.stdout).toMatch(/\nselftest: \d+ passed, 1 failed, \d+ skipped: fix the FAIL lines above, then run it again\n$/);
    } finally {
      copyFileSync(join(root, 'journal.backup'), journal);
    }
  });

  it('fails a device key that others can read (mode 0644), saying chmod 600', async () => {
    chmodSync(keyFile, 0o644);
    try {
      const run = await cli(stopped);
      expect(run.code).toBe(1);
      expect(line(run.stdout, 'device key')).toBe(
        `FAIL  device key      ${keyFile} is mode 0644: others can read the device's private key\n` +
          `                      → chmod 600 ${keyFile}; if it may have been copied, enroll a new key (validator enroll --backend URL --code CODE --device-id ID)`,
      );
      // Nothing signs with a key it refuses.
      expect(line(run.stdout, 'backend')).toMatch(/^SKIP {2}backend {9}no usable device key to sign with \(see device key\)/);
    } finally {
      chmodSync(keyFile, 0o600);
    }
  });

  it('fails a missing device key of an enrolled device, saying how to make one', async () => {
    renameSync(keyFile, `${keyFile}.away`);
    try {
      const run = await cli(stopped);
      expect(run.code).toBe(1);
      expect(line(run.stdout, 'device key')).toBe(
        `FAIL  device key      no device key at ${keyFile}: the device cannot sign uploads or exports\n` +
          '                      → validator enroll --backend URL --code CODE --device-id ID makes one (mode 0600) and enrolls it',
      );
    } finally {
      renameSync(`${keyFile}.away`, keyFile);
    }
  });

  it('fails the backend when nothing answers, saying what was tried and what to check', async () => {
    const exited = once(backend.child, 'exit');
    backend.child.kill('SIGTERM');
    await exited;
    const run = await cli(stopped);
    expect(run.code).toBe(1);
    expect(line(run.stdout, 'backend')).toBe(
      `FAIL  backend         BACKEND_UNREACHABLE: nothing answers at ${backend.url} (connection refused): check the URL's host and port, and that the backend is running\n` +
        '                      → check this device\'s network (ip addr; ping the backend\'s host) and the URL; taps wait in the journal meanwhile',
    );
    expect(line(run.stdout, 'clock')).toMatch(/^SKIP {2}clock/);
    expect(verdicts(run.stdout)).toMatchObject({ 'device key': 'PASS', 'journal chain': 'PASS' });
  });
});
