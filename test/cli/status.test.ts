import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeStatus } from '../../src/app/diagnosis/judge-status.ts';
import type { StatusFacts } from '../../src/app/diagnosis/status-facts.ts';
import type { StatusDocument } from '../../src/app/diagnosis/status-document.ts';
import { parseConfig } from '../../src/config/load-config.ts';
import { formatStatusTable } from '../../src/cli/status-table.ts';
import { formatJalaliDateTime } from '../../src/feedback/solar-hijri.ts';
import { Daemon } from '../support/daemon.ts';

const BIN = join(import.meta.dirname, '../../bin/validator.js');

function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

/** The table's rows (after the problems and notes blocks): each "key  value", keys padded to one width. */
function tableRows(text: string): string[] {
  const lines = text.trimEnd().split('\n');
  return lines.slice(lines.findIndex((l) => l.startsWith('state ')));
}

/** Every row's value starts in the same column, two spaces after the widest key. */
function expectAligned(rows: readonly string[], keys: readonly string[]): void {
  const width = Math.max(...keys.map((k) => k.length));
  expect(rows.map((r) => keys.find((k) => r.startsWith(`${k.padEnd(width)}  `) && r[width + 2] !== ' '))).not.toContain(undefined);
}

const KEYS = ['state', 'device', 'software', 'reader front', 'reader rear', 'display front', 'display rear', 'gps', 'last tap', 'journal', 'backlog', 'last sync', 'deny list', 'fares', 'clock', 'disk free', 'state dir', 'config'];

/** 2026-03-21 08:00 UTC is 11:30 on 1 Farvardin 1405 in Tehran. */
const NOW = Date.parse('2026-03-21T08:00:00Z');

function facts(overrides: Partial<StatusFacts> = {}): StatusFacts {
  return {
    running: true,
    service: { mode: 'hardware', pid: 4242, startedAt: '2026-03-21T06:00:00.000Z', softwareVersion: '0.1.0', controlSocket: '/var/lib/validator/control.sock' },
    device: { id: 'QOM-0017', vehicle: 'BUS-0412', route: '12', stop: 'S-101' },
    stateDir: '/var/lib/validator',
    config: { file: '/etc/validator/config.json', problem: null },
    readers: [
      { id: 'front', state: 'ready', detail: 'ACS ACR1252 00 00' },
      { id: 'rear', state: 'absent', detail: 'PC/SC reader "ACS ACR1252 01 00" disappeared' },
    ],
    displays: [
      { id: 'front', state: 'down', since: '2026-03-21T07:50:00.000Z', detail: '/dev/ttyUSB0 at 115200 baud', lastError: 'no ack after 3 sends' },
      { id: 'rear', state: 'up', since: '2026-03-21T06:00:01.000Z', detail: '/dev/ttyUSB1 at 115200 baud, firmware 1.4', lastError: null },
    ],
    gps: { configured: true, status: 'fix', source: '/dev/serial/by-id/usb-u-blox', stop: 'S-101', fix: { time: '2026-03-21T07:59:59.000Z', lat: 34.64177, lon: 50.87898 } },
    // Midnight of 1 Farvardin in Tehran (20:30 UTC the day before), and a minute before it.
    lastTap: { seq: 9120, time: '2026-03-20T20:30:00.000Z', result: 'accepted', reason: 'OK' },
    journal: { path: '/var/lib/validator/journal.db', problem: null, lastSeq: 9120, records: 9120, syncedThrough: 9000, openDebits: 0, sizeBytes: 5 * 1024 * 1024 },
    backlog: { taps: 120, oldestUnsyncedAt: '2026-03-19T08:00:00.000Z', oldestUnsyncedAgeSeconds: 2 * 86_400 },
    sync: { enrolled: true, enrolledAs: 'QOM-0017', enrolledAt: '2026-01-01T08:00:00.000Z', backend: 'https://sync.qom.example', lastSuccessAt: '2026-03-19T08:00:00.000Z', lastAttemptAt: '2026-03-21T07:59:00.000Z', failures: 12, problem: 'upload: HTTP 503' },
    denyList: { version: '2026-03-20.1', entries: 10_000_000, appliedAt: '2026-03-20T20:29:00.000Z', ageSeconds: 41_460, problem: null },
    fares: { version: 'qom-1404.1', effectiveFrom: '2025-04-20T20:30:00.000Z', ageSeconds: 28_726_200, next: { version: 'qom-1405.1', effectiveFrom: '2026-04-20T20:30:00.000Z' }, problem: null },
    clock: { now: '2026-03-21T08:00:00.000Z', timeZone: 'Asia/Tehran', backendErrorMs: 125_000, gpsErrorMs: 124_600 },
    disk: { path: '/var/lib/validator', freeBytes: 2 * 1024 ** 3, minFreeBytes: 16 * 1024 ** 2, pruneBelowBytes: 512 * 1024 ** 2 },
    ...overrides,
  };
}

function judged(f: StatusFacts, outOfService: string[] = []): StatusDocument {
  return judgeStatus({ facts: f, outOfService, notRunning: null, config: parseConfig({}, 'test') }, NOW);
}

describe('the status table', () => {
  it('dates in the Solar Hijri calendar: 2026-03-21 is 1405/01/01', () => {
    expect(formatJalaliDateTime(Date.parse('2026-03-21T00:00:00+03:30'), 'Asia/Tehran')).toBe('1405/01/01 00:00');
    expect(formatJalaliDateTime(Date.parse('2026-03-20T23:59:00+03:30'), 'Asia/Tehran')).toBe('1404/12/29 23:59');
    expect(formatJalaliDateTime(Date.parse('2026-03-21T08:00:00Z'), 'UTC')).toBe('1405/01/01 08:00');
  });

  it('puts the problems first, each with what to do, most urgent first, then one aligned table', () => {
    const doc = judged(facts());
    expect(doc.problems.map((p) => p.code)).toEqual(['reader-absent', 'clock-off', 'clock-off', 'display-down', 'sync-failing', 'backlog-old']);
    expect(doc.inService).toBe(false);
    const text = formatStatusTable(doc);
    const lines = text.split('\n');
    expect(lines[0]).toBe('PROBLEMS (6)');
    expect(lines[1]).toBe('  1. reader rear is absent: PC/SC reader "ACS ACR1252 01 00" disappeared; this door is out of service');
    expect(lines[2]).toMatch(/^ {5}→ check the reader's USB cable/);
    expect(lines[3]).toMatch(/^ {2}2\. the system clock is 2 min behind the backend/);
    expect(lines[4]).toMatch(/^ {5}→ timedatectl status/);
    expect(text).toContain('  6. 120 taps not synced, the oldest from 2 d 0 h ago\n     → validator sync now; without a network: validator export --to /media/usb');

    const rows = tableRows(text);
    expect(rows).toHaveLength(KEYS.length);
    expectAligned(rows, KEYS);
    const row = (key: string): string => rows.find((r) => r.startsWith(`${key} `)) ?? '';
    expect(row('state')).toMatch(/OUT OF SERVICE · hardware · pid 4242 · started 1405\/01\/01 09:30 \(2 h 0 min ago\)$/);
    expect(row('last tap')).toMatch(/#9120 1405\/01\/01 00:00 \(11 h 30 min ago\) · accepted OK$/);
    expect(row('deny list')).toMatch(/version 2026-03-20\.1 · 10,000,000 cards · applied 1404\/12\/29 23:59 \(11 h 31 min ago\)$/);
    expect(row('fares')).toMatch(/version qom-1404\.1 · in force since 1404\/02\/01 00:00 \(334 d 11 h ago\) · next qom-1405\.1 1405\/02\/01 00:00 \(in 30 d 12 h\)$/);
    expect(row('backlog')).toMatch(/120 taps not synced, the oldest 1404\/12\/28 11:30 \(2 d 0 h ago\)$/);
    expect(row('last sync')).toMatch(/1404\/12\/28 11:30 \(2 d 0 h ago\) · https:\/\/sync\.qom\.example as QOM-0017 · FAILING: upload: HTTP 503$/);
    // The state column of readers and displays is aligned too.
    expect(row('reader front')).toMatch(/ {2}ready {3}ACS ACR1252 00 00$/);
    expect(row('reader rear')).toMatch(/ {2}absent {2}PC\/SC reader/);
    expect(row('display front')).toMatch(/ {2}down {4}\/dev\/ttyUSB0 at 115200 baud, since 1405\/01\/01 11:20 \(10 min ago\), last error: no ack after 3 sends$/);
  });

  it('says in service with no PROBLEMS block when all is well', () => {
    const healthy = facts({
      readers: [
        { id: 'front', state: 'ready', detail: 'ACS ACR1252 00 00' },
        { id: 'rear', state: 'ready', detail: 'ACS ACR1252 01 00' },
      ],
      displays: [],
      backlog: { taps: 0, oldestUnsyncedAt: null, oldestUnsyncedAgeSeconds: null },
      sync: { ...facts().sync, lastSuccessAt: '2026-03-21T07:59:30.000Z', failures: 0, problem: null },
      clock: { now: '2026-03-21T08:00:00.000Z', timeZone: 'Asia/Tehran', backendErrorMs: 300, gpsErrorMs: -450 },
    });
    const doc = judged(healthy);
    expect(doc).toMatchObject({ inService: true, problems: [], notes: [] });
    const text = formatStatusTable(doc);
    expect(text.startsWith('state ')).toBe(true);
    expect(text).toMatch(/^clock {9}1405\/01\/01 11:30 Asia\/Tehran · 0\.3 s behind backend · 0\.5 s ahead of GPS$/m);
    expect(text).toMatch(/^backlog {7}none: every tap is synced$/m);
  });
});

// Each command is a fresh Node process (about 1 s on a 2-core board).
describe('validator status with a simulated daemon, running then stopped', { timeout: 60_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'qom-status-'));
  const stateDir = join(root, 'state');
  mkdirSync(stateDir);
  const daemon = new Daemon(stateDir, { simulation: { exchangeLatencyMs: 1 } });
  const at = ['--state-dir', stateDir];

  beforeAll(() => daemon.start(), 30_000);
  afterAll(async () => {
    await daemon.stop('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  it('running: --json has every field, from the daemon; the table is aligned; exit 0', async () => {
    expect((await cli(['tap', 'adult', ...at])).code).toBe(0);
    const run = await cli(['status', '--json', ...at]);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as StatusDocument;
    expect(doc).toMatchObject({
      format: 1,
      running: true,
      inService: true,
      problems: [],
      service: { mode: 'simulation', softwareVersion: '0.1.0' },
      device: { id: 'QOM-DEV-0001', vehicle: 'BUS-0001', route: '12' },
      stateDir,
      readers: [
        { id: 'front', state: 'ready' },
        { id: 'rear', state: 'ready' },
      ],
      displays: [
        { id: 'front', state: 'up' },
        { id: 'rear', state: 'up' },
      ],
      gps: { configured: true, source: 'simulated' },
      lastTap: { seq: 1, result: 'accepted', reason: 'OK' },
      journal: { problem: null, lastSeq: 1, records: 1, syncedThrough: 0, openDebits: 0 },
      backlog: { taps: 1 },
      sync: { enrolled: false, lastSuccessAt: null },
      denyList: { version: 'sim-1', entries: 1, problem: null },
      // The sample bundle takes effect at 2025-04-21 00:00 Tehran time.
      fares: { version: 'qom-1404.1', effectiveFrom: '2025-04-20T20:30:00.000Z', next: null, problem: null },
      clock: { timeZone: 'Asia/Tehran', backendErrorMs: null },
    });
    expect(doc.notes.map((n) => n.code)).toEqual(['not-enrolled']);
    expect(doc.service.pid).toBeGreaterThan(0);
    expect(Date.parse(doc.backlog.oldestUnsyncedAt ?? '')).toBe(Date.parse(doc.lastTap?.time ?? ''));
    expect(doc.backlog.oldestUnsyncedAgeSeconds).toBeLessThan(60);
    expect(doc.fares.ageSeconds).toBeGreaterThan(0);
    expect(doc.disk.freeBytes).toBeGreaterThan(0);
    expect(doc.disk.minFreeBytes).toBe(16 * 1024 * 1024);
    expect(Math.abs(Date.parse(doc.checkedAt) - Date.now())).toBeLessThan(30_000);

    const table = await cli(['status', ...at]);
    expect(table.code).toBe(0);
    expect(table.stdout.startsWith('NOTES\n')).toBe(true);
    const rows = tableRows(table.stdout);
    expectAligned(rows, KEYS);
    expect(rows[0]).toMatch(/^state {10}IN SERVICE · simulation · pid \d+ · started 14\d\d\/\d\d\/\d\d \d\d:\d\d/);
    expect(table.stdout).toMatch(/^last tap {7}#1 14\d\d\/\d\d\/\d\d \d\d:\d\d \(\d+ s ago\) · accepted OK$/m);
  });

  it('stopped: what the state directory says, that the service is not running and how to start it; exit 1', async () => {
    expect(await daemon.stop('SIGTERM')).toBe(0);
    const run = await cli(['status', '--json', ...at]);
    expect(run.code).toBe(1);
    const doc = JSON.parse(run.stdout) as StatusDocument;
    expect(doc).toMatchObject({
      format: 1,
      running: false,
      inService: false,
      service: { mode: 'simulation', pid: null },
      readers: [
        { id: 'front', state: 'unknown' },
        { id: 'rear', state: 'unknown' },
      ],
      lastTap: { seq: 1, result: 'accepted' },
      journal: { problem: null, lastSeq: 1, records: 1, syncedThrough: 0 },
      backlog: { taps: 1 },
      denyList: { version: 'sim-1', entries: 1 },
      fares: { version: 'qom-1404.1', effectiveFrom: '2025-04-20T20:30:00.000Z' },
      sync: { enrolled: false, lastSuccessAt: null },
    });
    expect(doc.problems[0]).toMatchObject({ code: 'service-not-running' });
    expect(doc.problems[0]?.fix).toContain('sudo systemctl start validator');
    expect(doc.problems[0]?.fix).toContain('journalctl -u validator');

    const table = await cli(['status', ...at]);
    expect(table.code).toBe(1);
    const lines = table.stdout.split('\n');
    expect(lines[0]).toBe('PROBLEMS (1)');
    expect(lines[1]).toMatch(/^ {2}1\. the validator service is not running: no validator is running with state directory /);
    expect(lines[2]).toMatch(/^ {5}→ start it: sudo systemctl start validator/);
    const rows = tableRows(table.stdout);
    expectAligned(rows, KEYS);
    expect(rows[0]).toBe(`state          NOT RUNNING: read from ${stateDir} without the service (start it: sudo systemctl start validator)`);
    expect(table.stdout).toMatch(/^journal {8}1 record, last seq 1, 0 open debits, \d+ KiB$/m);
  });
});
