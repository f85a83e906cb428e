/**
 * `npm run bench`: a durable tap against the floor of a bare durable INSERT, interleaved on the same disk;
 * then a whole card tap through the pipeline and the Qom Card codec, the fare decision, and the deny list
 * at 10 million cards. Writes docs/performance.md from what it measured.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decideTap, type TapInput } from '../src/domain/decide.ts';
import { systemClock } from '../src/domain/time.ts';
import { openJournal } from '../src/journal/open-journal.ts';
import { silentLogger } from '../src/log/logger.ts';
import { FloorTable } from './floor-table.ts';
import { describeMachine } from './machine.ts';
import { summarize } from './percentiles.ts';
import { cardTapBenchMarkdown, formatCardTapBench, runCardTapBench } from './card-tap.ts';
import { coldStartBenchMarkdown, coldStartOnly, formatColdStartBench, runColdStartBench } from './cold-start.ts';
import { printDenyListBench, renderDenyListPerformance, runDenyListBench } from './deny-list.ts';
import { faresBenchMarkdown, formatFaresBench, runFaresBench } from './fares.ts';
import { renderPerformanceDoc, type BenchResult } from './performance-doc.ts';
import { formatSyncBench, runSyncBench, syncBenchMarkdown } from './sync.ts';
import { card, context, denyList, fares, TIME_ZONE, tapFields } from './tap-fixtures.ts';

const ITERATIONS = Number(process.env['BENCH_ITERATIONS'] ?? 2000);
const WARMUP = 200;
// Keeps the whole run under about a minute on a slow disk: iterations are cut to fit, and the doc says so.
const MEASURE_BUDGET_MS = 45_000;

const repo = fileURLToPath(new URL('..', import.meta.url));
// Under the project (.data/ is git-ignored), so that it is the project's filesystem, not a tmpfs /tmp.
mkdirSync(join(repo, '.data'), { recursive: true });
const dir = mkdtempSync(join(repo, '.data', 'bench-'));

// `--only cold-start`: that section alone, written in place in docs/performance.md.
const only = process.argv.indexOf('--only');
if (only > 0) {
  if (process.argv[only + 1] !== 'cold-start') throw new Error(`--only takes: cold-start (got ${process.argv[only + 1]})`);
  try {
    await coldStartOnly(join(dir, 'cold-start'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}

const journal = openJournal({
  path: join(dir, 'journal.db'),
  clock: systemClock,
  log: silentLogger,
  minFreeBytes: 0,
  retentionMs: 30 * 24 * 3600_000,
  pruneWhenFreeBelowBytes: 0,
});
const floor = new FloorTable(join(dir, 'floor.db'));
const deny = denyList(5000);
let cardNo = 0;

function decide(now: number): { input: TapInput; decision: ReturnType<typeof decideTap> } {
  const input: TapInput = { card: card(++cardNo, now), context, now, denyList: deny, fares, timeZone: TIME_ZONE };
  return { input, decision: decideTap(input) };
}

/** Each entry prepares what is not measured and returns the measured action. */
const ops = {
  /** What every tap costs: decide, build the record, one durable append. */
  tap: () => (): void => {
    const now = Date.now();
    const { input, decision } = decide(now);
    journal.append(tapFields(input.card, decision, now, randomUUID(), null));
  },
  /** The pipeline's share of a tap, no I/O: measured here right after a commit, as cold as in a real tap. */
  record: () => (): void => {
    const now = Date.now();
    const { input, decision } = decide(now);
    tapFields(input.card, decision, now, randomUUID(), null);
  },
  /** The journal alone: the same append with the record built beforehand. */
  append: () => {
    const now = Date.now();
    const { input, decision } = decide(now);
    const fields = tapFields(input.card, decision, now, randomUUID(), null);
    return (): void => void journal.append(fields);
  },
  floorTap: () => (): void => floor.insertOne(),
  /** An accepted debit: decide, check the journal can record, intent, (card write), resolution. */
  debit: () => (): void => {
    const now = Date.now();
    const { input, decision } = decide(now);
    if (decision.purse === null) throw new Error(`bench card was not debited: ${decision.reason}`);
    journal.assertWritable();
    const id = randomUUID();
    const tap = tapFields(input.card, decision, now, randomUUID(), id);
    journal.beginDebit({ id, createdAt: now, cardUid: input.card.uid, counterBefore: input.card.counter, counterAfter: decision.purse.counter, tap });
    journal.resolveDebit(id, tap);
  },
  floorDebit: () => (): void => {
    floor.insertOne();
    floor.insertOne();
  },
};
type Op = keyof typeof ops;
// Every path runs in every iteration beside the floors, in an order that reverses each iteration,
// so that drift and position within the iteration fall equally on paths and floors.
const forward: Op[] = ['tap', 'floorTap', 'record', 'append', 'debit', 'floorDebit'];
const backward: Op[] = [...forward].reverse();

function timeMs(f: () => void): number {
  const start = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

try {
  const warmStart = performance.now();
  for (let i = 0; i < WARMUP; i++) for (const op of i % 2 === 0 ? forward : backward) ops[op]()();
  const perIteration = (performance.now() - warmStart) / WARMUP;
  const iterations = Math.max(100, Math.min(ITERATIONS, Math.floor(MEASURE_BUDGET_MS / perIteration)));

  const samples: Record<Op, number[]> = { tap: [], record: [], append: [], floorTap: [], debit: [], floorDebit: [] };
  for (let i = 0; i < iterations; i++) {
    for (const op of i % 2 === 0 ? forward : backward) samples[op].push(timeMs(ops[op]()));
  }

  const result: BenchResult = {
    command: process.env['npm_lifecycle_event'] === 'bench' ? 'npm run bench' : 'npx tsx bench/run.ts',
    iterationsEnv: process.env['BENCH_ITERATIONS'] ?? null,
    date: new Date().toISOString(),
    machine: describeMachine(dir),
    benchDir: dir.slice(repo.length),
    warmup: WARMUP,
    iterations,
    tap: summarize(samples.tap),
    append: summarize(samples.append),
    floorTap: summarize(samples.floorTap),
    debit: summarize(samples.debit),
    floorDebit: summarize(samples.floorDebit),
    record: summarize(samples.record),
    journalStats: journal.stats(),
  };
  printTable(result);

  console.log('');
  const cardTap = await runCardTapBench(dir);
  formatCardTapBench(cardTap).forEach((line) => console.log(line));
  console.log('');
  const fareResult = runFaresBench();
  formatFaresBench(fareResult).forEach((line) => console.log(line));
  console.log('');
  const denyResult = await runDenyListBench();
  printDenyListBench(denyResult);
  console.log('');
  const syncResult = await runSyncBench(join(dir, 'sync'));
  formatSyncBench(syncResult).forEach((line) => console.log(line));
  console.log('');
  const coldStart = await runColdStartBench(join(dir, 'cold-start'));
  formatColdStartBench(coldStart).forEach((line) => console.log(line));

  const docPath = join(repo, 'docs', 'performance.md');
  const sections = [renderPerformanceDoc(result), cardTapBenchMarkdown(cardTap), faresBenchMarkdown(fareResult), renderDenyListPerformance(denyResult), syncBenchMarkdown(syncResult), coldStartBenchMarkdown(coldStart)];
  writeFileSync(docPath, sections.map((s) => s.trim()).join('\n\n') + '\n');
  console.log(`\nwrote ${docPath}`);
} finally {
  journal.close();
  floor.close();
  rmSync(dir, { recursive: true, force: true });
}

function printTable(r: BenchResult): void {
  const row = (name: string, s: { n: number; p50: number; p99: number }, ratio = ''): string =>
    `${name.padEnd(44)}${String(s.n).padStart(7)}${s.p50.toFixed(3).padStart(10)}${s.p99.toFixed(3).padStart(10)}  ${ratio}`;
  console.log(`${'path'.padEnd(44)}${'n'.padStart(7)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}  p50 ratio`);
  const x = (a: { p50: number }, b: { p50: number }): string => `${(a.p50 / b.p50).toFixed(2)} × floor`;
  console.log(row('tap: decide + build + append (1 commit)', r.tap, x(r.tap, r.floorTap)));
  console.log(row('decide + build the record (no I/O)', r.record));
  console.log(row('append alone (1 commit)', r.append, x(r.append, r.floorTap)));
  console.log(row('floor: 1 bare INSERT (1 commit)', r.floorTap));
  console.log(row('debit: decide + build + begin + resolve', r.debit, x(r.debit, r.floorDebit)));
  console.log(row('floor: 2 bare INSERTs (2 commits)', r.floorDebit));
  console.log(`\n${r.machine.cpu}, ${r.machine.nproc} CPUs, ${r.machine.filesystem.type} on ${r.machine.filesystem.source} (bench dir ${r.benchDir})`);
}
