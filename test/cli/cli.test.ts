import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusDocument } from '../../src/app/diagnosis/status-document.ts';
import type { TapRecord } from '../../src/journal/types.ts';
import type { TapOutcome } from '../../src/pipeline/tap-outcome.ts';
import { Daemon } from '../support/daemon.ts';

const BIN = join(import.meta.dirname, '../../bin/validator.js');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real `validator` executable. */
function cli(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

function tempState(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'cli-')), 'state');
  mkdirSync(dir);
  return dir;
}

// Each command is a fresh Node process (about 1 s each on a 2-core board): several to a test need more than 5 s.
describe('validator command line with a running daemon', { timeout: 30_000 }, () => {
  const stateDir = tempState();
  const daemon = new Daemon(stateDir, { simulation: { exchangeLatencyMs: 1 } });
  const at = ['--state-dir', stateDir];

  beforeAll(() => daemon.start(), 30_000);
  afterAll(() => daemon.stop('SIGKILL'));

  it('tap prints what the passenger was shown and the journal seq, and exits 0 on a decision', async () => {
    const json = await cli(['tap', 'adult', '--json', ...at]);
    expect(json.code).toBe(0);
    const { outcomes } = JSON.parse(json.stdout) as { outcomes: TapOutcome[] };
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ reader: 'front', notice: { kind: 'accepted', fare: 37_000, balance: 463_000 } });
    expect(outcomes[0]?.records[0]?.seq).toBe(1);
    expect(outcomes[0]?.screen.line1).toBe('سفر بخیر');

    const human = await cli(['tap', 'expired', '--reader', 'rear', ...at]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('rear door · card 9826000000001006 · REJECTED EXPIRED');
    expect(human.stdout).toContain('journal 2 (rejected EXPIRED)');
  });

  it('tap of a card pulled away mid-write shows "try again", then the retry decides', async () => {
    const run = await cli(['tap', 'torn', '--json', ...at]);
    expect(run.code).toBe(0);
    const { outcomes } = JSON.parse(run.stdout) as { outcomes: TapOutcome[] };
    expect(outcomes.map((o) => o.notice.kind)).toEqual(['try-again', 'accepted']);
    expect(outcomes[1]?.records.map((r) => r.reason)).toEqual(['DEBIT_NOT_APPLIED', 'OK']);
  });

  it('tap names the profiles there are, and refuses an unknown one with exit 1', async () => {
    const list = await cli(['tap', 'list', ...at]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^adult\s+valid adult card/m);
    const bad = await cli(['tap', 'platinum', ...at]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('no card profile "platinum"; there are: adult, student');
    const door = await cli(['tap', 'adult', '--reader', 'middle', ...at]);
    expect(door.stderr).toContain('no reader "middle"; this validator has: front, rear');
  });

  it('taps and status answer from the daemon', async () => {
    const taps = await cli(['taps', '--json', ...at]);
    expect(taps.code).toBe(0);
    const records = taps.stdout.trim().split('\n').map((l) => JSON.parse(l) as TapRecord);
    expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i + 1));
    expect((await cli(['taps', '--since', '2', '--limit', '1', '--json', ...at])).stdout.trim().split('\n')).toHaveLength(1);

    const status = await cli(['status', '--json', ...at]);
    expect(status.code).toBe(0);
    const report = JSON.parse(status.stdout) as StatusDocument;
    expect(report).toMatchObject({ running: true, inService: true, service: { mode: 'simulation' }, problems: [], stateDir });
    expect(report.journal.lastSeq).toBe(records.length);
    expect((await cli(['status', ...at])).stdout).toMatch(/^state\s+IN SERVICE · simulation/m);
  });

  it('refuses a second daemon on the same state directory, and the first keeps its journal and taps', async () => {
    const second = await cli(['run', '--simulate', '--no-panel', ...at]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('another process holds journal');
    expect((await cli(['tap', 'senior', ...at])).code).toBe(0);
    const report = JSON.parse((await cli(['status', '--json', ...at])).stdout) as StatusDocument;
    expect(report.journal.lastSeq).toBeGreaterThan(3);
  });

  it('stops on SIGTERM within 5 s with exit 0; taps then reads the journal file itself', async () => {
    const started = Date.now();
    expect(await daemon.stop('SIGTERM')).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    const taps = await cli(['taps', ...at]);
    expect(taps.code).toBe(0);
    expect(taps.stdout).toMatch(/^\s+1 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+03:30 front\s+9826000000001001\s+accepted\s+OK\s+37000\s+463000$/m);
    const tap = await cli(['tap', 'adult', ...at]);
    expect(tap.code).toBe(1);
    expect(tap.stderr).toContain(`no validator is running with state directory ${stateDir}`);
    const status = await cli(['status', ...at]);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/^PROBLEMS \(1\)\n {2}1\. the validator service is not running/);
  });
});

describe('validator run refuses what it cannot run', { timeout: 30_000 }, () => {
  it('lists every problem of a bad config file at once and exits 1', async () => {
    const stateDir = tempState();
    const config = join(stateDir, '..', 'bad.json');
    writeFileSync(config, JSON.stringify({ tap: { budgetMs: 10 }, display: { moneyUnit: 'euro' }, readres: [] }));
    const run = await cli(['run', '--simulate', '--config', config, '--state-dir', stateDir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${config} has 3 problems`);
    expect(run.stderr).toContain('tap.budgetMs = 10: must be at least 50');
    expect(run.stderr).toContain('display.moneyUnit = "euro": allowed: "rial", "toman"');
    expect(run.stderr).toContain('unknown key "readres"');
  });

  it('refuses device ids that would not fit on the card before taking any tap', async () => {
    const stateDir = tempState();
    const config = join(stateDir, '..', 'long.json');
    writeFileSync(config, JSON.stringify({ device: { id: 'QOM-VALIDATOR-000000000017', vehicle: 'BUS-0001' } }));
    const run = await cli(['run', '--simulate', '--config', config, '--state-dir', stateDir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('do not fit in the card\'s last-trip record');
    expect(run.stderr).toContain('the card holds 28 together');
  });

  it('refuses real readers without a key file, saying which setting to make', async () => {
    const run = await cli(['run', '--state-dir', tempState()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('set keys.file in the config');
  });
});
