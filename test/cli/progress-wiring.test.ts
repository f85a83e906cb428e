// The long CLI operations show progress: plain lines on stderr when it is not a terminal (here, a pipe), with
// the command's answer on stdout as before.
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ImportProgress } from '../../src/deny-list/import-progress.ts';
import { depotListFile } from '../../src/deny-list/verified-list.ts';
import { runInWorker } from '../../src/deny-list/run-in-worker.ts';
import { newKeyPair, writePrivateKeyFile } from '../../sync/contract/keys.ts';
import { openStore, useTempDir, writeGeneratedFull } from '../deny-list/helpers.ts';
import { sampleTap } from '../journal/helpers/sample-tap.ts';
import { openTestJournal } from '../journal/helpers/test-journal.ts';

const BIN = join(import.meta.dirname, '../../bin/validator.js');

function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

/** The tenths the lines name, in order: each line a tenth further, none twice. */
function tenths(lines: readonly string[], pattern: RegExp): number[] {
  return lines.map((l) => Number(pattern.exec(l)?.[1] ?? Number.NaN));
}

describe('progress of the long CLI operations, not on a terminal', { timeout: 60_000 }, () => {
  const dir = useTempDir();

  it('validator export from the journal file: a line at each tenth, then the final line', async () => {
    const stateDir = join(dir.path, 'state');
    mkdirSync(stateDir);
    const journal = openTestJournal(stateDir);
    for (let n = 1; n <= 2_000; n++) journal.append(sampleTap(n));
    journal.close();
    writePrivateKeyFile(join(stateDir, 'device-key.pem'), newKeyPair().privateKey);

    const run = await cli(['export', '--to', join(dir.path, 'usb'), '--state-dir', stateDir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^2000 taps \(seq 1–2000\) written to /);
    const lines = run.stderr.trimEnd().split('\n');
    // Read in chunks of 200: every tenth is reached once (a rate once half a second has passed).
    expect(tenths(lines.slice(0, -1), /^export: (\d+)% \([\d,]+ of 2,000(?:, [\d,]+\/s)?\)$/)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(lines.at(-1)).toMatch(/^export: done, 2,000 in \d+\.\d s( \([\d,]+\/s\))?$/);
    expect(run.stderr).not.toContain('\r');
  });

  it('validator denylist import into the state directory: the entries read, then the build, then the summary', async () => {
    const stateDir = join(dir.path, 'state');
    mkdirSync(stateDir);
    const list = await writeGeneratedFull(dir.path, 'full.ndjson.gz', '2026-11-22.1', 200_000);
    const run = await cli(['denylist', 'import', list, '--state-dir', stateDir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('deny list version 2026-11-22.1 in force (full list, was none): 200000 cards, 200000 added, 0 removed\n');
    const lines = run.stderr.trimEnd().split('\n');
    // Reports come every 65,536 entries: 33%, 66%, 98%.
    expect(tenths(lines.slice(0, -1), /^deny list import: (\d+)% \([\d,]+ of 200,000(?:, [\d,]+\/s)?\)$/)).toEqual([30, 60, 90]);
    expect(lines.at(-1)).toBe('deny list import: 200,000 entries read; building and writing the new list');
  });

  it('the import worker reports its progress to the store, which holds it while the import runs', async () => {
    const list = await writeGeneratedFull(dir.path, 'full.ndjson', '7', 70_000);
    const store = openStore(dir.path, { run: runInWorker });
    const seen: ImportProgress[] = [];
    const held: (ImportProgress | null)[] = [];
    const summary = await store.apply(depotListFile(list), (p) => {
      seen.push(p);
      held.push(store.importProgress);
    });
    expect(summary).toMatchObject({ applied: true, version: '7', entries: 70_000 });
    expect(seen).toEqual([
      { phase: 'reading', done: 65_536, total: 70_000 },
      { phase: 'reading', done: 70_000, total: 70_000 },
      { phase: 'building', done: 70_000, total: 70_000 },
    ]);
    expect(held).toEqual(seen);
    expect(store.importProgress).toBeNull();
    await store.close();
  });
});
