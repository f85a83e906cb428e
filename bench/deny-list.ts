/**
 * The deny-list bench: 10 million generated cards (bench/deny-list-fixtures.ts), measured in fresh child
 * processes running the validator compiled to JavaScript, as the board runs it:
 *   import  the full list (gzip NDJSON), a 100,000-entry delta, then a compaction of the whole list, each with
 *           the longest event-loop delay while it ran (perf_hooks monitorEventLoopDelay);
 *   start   the snapshot load at start, RSS before and after it, lookups and decideTap p50/p99/max;
 *   daemon  the RSS of `validator run --simulate` on the same state directory.
 * Standalone: `npx tsx bench/deny-list.ts` (BENCH_DENY_ENTRIES to change the size). From bench/run.ts:
 * `const r = await runDenyListBench(); printDenyListBench(r); doc += renderDenyListPerformance(r);`
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { callControl } from '../src/control/control-client.ts';
import { controlSocketPath } from '../src/control/socket-path.ts';
import type { ImportPhase, Latency, StartPhase, UpdateFigures } from './deny-list-child.ts';
import { deltaLines, fullListLines, writeLines } from './deny-list-fixtures.ts';
import { describeMachine, type Machine } from './machine.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));

export interface DenyListBenchOptions {
  /** Cards in the full list (default 10,000,000, or $BENCH_DENY_ENTRIES). */
  readonly entries?: number;
  /** The delta's adds and removes (default 80,000 and 20,000). */
  readonly deltaAdds?: number;
  readonly deltaRemoves?: number;
  /** Where the generated lists (kept between runs) and the compiled validator go (default .data/bench-deny-list). */
  readonly workDir?: string;
  /** Progress lines (default: stderr). */
  readonly progress?: (line: string) => void;
}

export interface DenyListBenchResult {
  readonly date: string;
  readonly machine: Machine;
  /** 1-minute load average before and after: other work on the machine shows in the event-loop delays. */
  readonly loadAverage: readonly [before: number, after: number];
  readonly entries: number;
  readonly deltaEntries: number;
  readonly files: { readonly fullGzipBytes: number; readonly deltaGzipBytes: number; readonly snapshotBytes: number };
  readonly import: ImportPhase;
  readonly start: StartPhase;
  /** `validator run --simulate` on the state directory: RSS, and whether it served the 10M list. */
  readonly daemon: { readonly rssMb: number; readonly denyListEntries: number };
}

/** Runs the whole bench; about a minute for 10M cards on 2 cores, plus 15 s to generate the lists the first time. */
export async function runDenyListBench(options: DenyListBenchOptions = {}): Promise<DenyListBenchResult> {
  const entries = options.entries ?? Number(process.env['BENCH_DENY_ENTRIES'] ?? 10_000_000);
  const adds = options.deltaAdds ?? 80_000;
  const removes = options.deltaRemoves ?? 20_000;
  const progress = options.progress ?? ((line: string): void => void process.stderr.write(`${line}\n`));
  const workDir = resolve(options.workDir ?? join(repo, '.data', 'bench-deny-list'));
  mkdirSync(workDir, { recursive: true });

  const full = join(workDir, `full-${entries}.ndjson.gz`);
  const delta = join(workDir, `delta-${entries}-${adds}-${removes}.ndjson.gz`);
  if (!existsSync(full)) {
    progress(`generating ${full}`);
    await writeLines(full, fullListLines('bench-1', entries));
  }
  if (!existsSync(delta)) await writeLines(delta, deltaLines('bench-2', 'bench-1', entries, adds, removes));

  progress('compiling the validator to JavaScript');
  const dist = compile(workDir);
  const child = join(dist, 'bench', 'deny-list-child.js');
  const stateDir = mkdtempSync(join(workDir, 'state-'));
  const loadBefore = loadavg()[0] ?? 0;
  try {
    progress(`importing ${entries} cards, then a delta of ${adds + removes}, then a compaction`);
    const importPhase = JSON.parse(await run(process.execPath, [child, 'import', JSON.stringify({ stateDir, full, delta })])) as ImportPhase;
    progress('loading the snapshot in a fresh process: RSS, lookups, decisions');
    const startPhase = JSON.parse(await run(process.execPath, ['--expose-gc', child, 'start', JSON.stringify({ stateDir, entries })])) as StartPhase;
    progress('starting the validator daemon on the same state directory');
    const daemon = await daemonRss(dist, stateDir);
    return {
      date: new Date().toISOString(),
      machine: describeMachine(workDir),
      loadAverage: [loadBefore, loadavg()[0] ?? 0],
      entries,
      deltaEntries: adds + removes,
      files: { fullGzipBytes: statSync(full).size, deltaGzipBytes: statSync(delta).size, snapshotBytes: statSync(join(stateDir, 'denylist.snapshot')).size },
      import: importPhase,
      start: startPhase,
      daemon,
    };
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(dist, { recursive: true, force: true });
  }
}

/** tsc into workDir/dist: src, device, sync and the bench child, as `npm run build` compiles the validator. */
function compile(workDir: string): string {
  const dist = join(workDir, 'dist');
  rmSync(dist, { recursive: true, force: true });
  const tsconfig = join(workDir, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(repo, 'tsconfig.build.json'),
      compilerOptions: { outDir: dist, rootDir: repo, sourceMap: false },
      include: ['src', 'device', 'sync'].map((d) => join(repo, d)).concat(join(repo, 'bench', 'deny-list-child.ts')),
    }),
  );
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const built = spawnSync(process.execPath, [tsc, '-p', tsconfig], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`tsc failed:\n${built.stdout}${built.stderr}`);
  // What `validator run` reads beside its code, linked in. Only these: a linked test/ would put the
  // project's tests under .data for vitest to find twice.
  for (const entry of ['package.json', 'fares']) symlinkSync(join(repo, entry), join(dist, entry));
  return dist;
}

/** Runs a child to the end; resolves with the last line it printed, rejects with its output when it fails. */
async function run(command: string, args: readonly string[]): Promise<string> {
  const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const [code] = (await once(proc, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`${args.slice(0, 2).join(' ')} exited with ${code}:\n${err}${out}`);
  return out.trim().split('\n').at(-1) ?? '';
}

/** Starts the compiled daemon in simulation on the state directory and reads its RSS once it answers. */
async function daemonRss(dist: string, stateDir: string): Promise<DenyListBenchResult['daemon']> {
  const main = pathToFileURL(join(dist, 'src', 'cli', 'main.js')).href;
  const script = `import(${JSON.stringify(main)}).then((m) => m.main(['run', '--simulate', '--no-panel', '--state-dir', ${JSON.stringify(stateDir)}]))`;
  const proc = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stdout.on('data', (b: Buffer) => (err += b.toString()));
  proc.stderr.on('data', (b: Buffer) => (err += b.toString()));
  try {
    const status = await statusOf(stateDir, () => (proc.exitCode === null ? null : `the validator exited with ${proc.exitCode}:\n${err}`));
    await delay(2000);
    const vmRss = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))?.[1];
    return { rssMb: Number(vmRss) / 1024, denyListEntries: status.denyList?.entries ?? 0 };
  } finally {
    proc.kill('SIGTERM');
    if (proc.exitCode === null) await once(proc, 'exit');
  }
}

/** The daemon's status once its control socket answers; `failed` says why to stop waiting. */
async function statusOf(stateDir: string, failed: () => string | null): Promise<{ denyList?: { entries?: number } }> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const why = failed() ?? (Date.now() > deadline ? 'the validator did not answer within 60 s' : null);
    if (why !== null) throw new Error(why);
    try {
      return (await callControl(controlSocketPath(stateDir), 'status', {}, { timeoutMs: 1000 })) as { denyList?: { entries?: number } };
    } catch {
      await delay(100);
    }
  }
}

const f1 = (v: number): string => v.toFixed(1);
const delays = (u: UpdateFigures): string => `${f1(u.maxLoopDelayMs)} / ${f1(u.mainBusyMs)} ms`;
const us = (l: Latency): string => `${l.p50Us.toFixed(2)} / ${l.p99Us.toFixed(2)} / ${l.maxUs.toFixed(0)}`;

/** The figures as a table on stdout. */
export function printDenyListBench(r: DenyListBenchResult): void {
  const rows: [string, string, string][] = [
    ['full list import', `${f1(r.import.full.ms / 1000)} s`, 'goal ≤ 60 s'],
    ['  longest event-loop delay / main thread busy', delays(r.import.full), 'goal ≤ 20 ms'],
    [`delta of ${r.deltaEntries} applied`, `${r.import.delta.ms.toFixed(0)} ms`, 'goal ≤ 1000 ms'],
    ['  longest event-loop delay / main thread busy', delays(r.import.delta), 'goal ≤ 20 ms'],
    ['compaction (overlay into a new snapshot)', `${f1(r.import.compaction.ms / 1000)} s`, ''],
    ['  longest event-loop delay / main thread busy', delays(r.import.compaction), 'goal ≤ 20 ms'],
    ['snapshot load at start', `${r.start.snapshotLoadMs.toFixed(0)} ms`, ''],
    ['lookup, listed card p50 / p99 / max', `${us(r.start.lookupListed)} µs`, 'goal p99 ≤ 20 µs'],
    ['lookup, unlisted card p50 / p99 / max', `${us(r.start.lookupUnlisted)} µs`, 'goal p99 ≤ 20 µs'],
    ['decideTap, unlisted card p50 / p99 / max', `${us(r.start.decideUnlisted)} µs`, ''],
    ['decideTap, listed card p50 / p99 / max', `${us(r.start.decideListed)} µs`, ''],
    ['RSS: module graph, then with the list loaded', `${f1(r.start.baselineRssMb)} → ${f1(r.start.loadedRssMb)} MB`, ''],
    [`RSS: validator daemon (list ${r.daemon.denyListEntries === r.start.entries ? 'loaded' : 'NOT loaded'})`, `${f1(r.daemon.rssMb)} MB`, 'goal ≤ 150 MB'],
    ['peak RSS during import, delta, compaction', `${f1(r.import.peakRssMb)} MB`, ''],
    ['snapshot file', `${f1(r.files.snapshotBytes / 1024 / 1024)} MiB`, ''],
  ];
  console.log(`deny list: ${r.entries} cards\n`);
  for (const [name, value, goal] of rows) console.log(`${name.padEnd(46)}${value.padStart(26)}  ${goal}`);
  console.log(`\n${r.machine.cpu}, ${r.machine.nproc} CPUs, Node ${r.machine.node}, ${r.machine.filesystem.type} on ${r.machine.filesystem.source}, load average ${f1(r.loadAverage[0])} → ${f1(r.loadAverage[1])}`);
}

/** The deny-list section of docs/performance.md for one run. */
export function renderDenyListPerformance(r: DenyListBenchResult): string {
  const listShare = r.start.loadedRssMb - r.start.baselineRssMb;
  const daemonHasList = r.daemon.denyListEntries === r.start.entries;
  return `
## Deny list: ${r.entries.toLocaleString('en')} cards

Measured by \`bench/deny-list.ts\` on ${r.date} (${r.machine.cpu}, ${r.machine.nproc} CPUs, Node
${r.machine.node}, ${r.machine.filesystem.type}, 1-minute load average ${f1(r.loadAverage[0])} → ${f1(r.loadAverage[1])}). Generated realistic cards (two 6-digit issuers, 9-digit
serials, Luhn digit; \`npx tsx bench/make-deny-list.ts\`), gzip NDJSON: the full list
${f1(r.files.fullGzipBytes / 1024 / 1024)} MiB, the delta (${r.deltaEntries.toLocaleString('en')} entries) ${f1(r.files.deltaGzipBytes / 1024)} KiB.
Each phase runs in a fresh process on the validator compiled to JavaScript.

| What | Figure | Goal |
| --- | ---: | ---: |
| Full list import (parse, sort, build, durable write) | ${f1(r.import.full.ms / 1000)} s | ≤ 60 s |
| Delta applied (new overlay, durable write, swap) | ${r.import.delta.ms.toFixed(0)} ms | ≤ 1 s |
| Compaction of overlay into a new snapshot | ${f1(r.import.compaction.ms / 1000)} s | |
| Longest event-loop delay: full / delta / compaction | ${f1(r.import.full.maxLoopDelayMs)} / ${f1(r.import.delta.maxLoopDelayMs)} / ${f1(r.import.compaction.maxLoopDelayMs)} ms | ≤ 20 ms |
| Main thread busy meanwhile: full / delta / compaction | ${f1(r.import.full.mainBusyMs)} / ${f1(r.import.delta.mainBusyMs)} / ${f1(r.import.compaction.mainBusyMs)} ms | |
| Snapshot load at start | ${r.start.snapshotLoadMs.toFixed(0)} ms | |
| Lookup p50 / p99 / max, listed card | ${us(r.start.lookupListed)} µs | p99 ≤ 20 µs |
| Lookup p50 / p99 / max, unlisted card | ${us(r.start.lookupUnlisted)} µs | p99 ≤ 20 µs |
| \`decideTap\` p50 / p99 / max, unlisted card | ${us(r.start.decideUnlisted)} µs | |
| \`decideTap\` p50 / p99 / max, listed card | ${us(r.start.decideListed)} µs | |
| RSS of the validator's modules, then with the list loaded | ${f1(r.start.baselineRssMb)} → ${f1(r.start.loadedRssMb)} MB (list: ${f1(listShare)} MB) | |
| RSS of \`validator run --simulate\`${daemonHasList ? ' with the list loaded' : ', which does not load this list yet (start-validator.ts)'} | ${f1(r.daemon.rssMb)} MB | ≤ 150 MB |
| Peak RSS of the importing process (full list, delta, compaction) | ${f1(r.import.peakRssMb)} MB | |
| Snapshot file | ${f1(r.files.snapshotBytes / 1024 / 1024)} MiB | |

The event-loop figures come from a 1 ms-resolution histogram, so they include up to 1 ms of timer
slack, and any time the OS gave the main thread's core to another process: the work itself runs in a
worker thread at nice +10, and the main thread's own share is the "busy" row (event-loop utilization).
The lookups are timed one by one with \`performance.now()\`, whose own cost (tens of ns) is in the
figures; the max is a GC pause or the OS, not the lookup. Run it again with \`npx tsx bench/deny-list.ts\`.
`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runDenyListBench();
  printDenyListBench(result);
  console.log(renderDenyListPerformance(result));
}
