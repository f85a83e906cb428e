/**
 * One phase of the deny-list bench in a fresh process (bench/deny-list.ts runs it compiled, as the board
 * runs the validator): its RSS and event loop are the validator's, not the bench harness's.
 *   node deny-list-child.js import '{"stateDir":…,"full":…,"delta":…}'   full list, then delta and compaction
 *   node --expose-gc deny-list-child.js start '{"stateDir":…,"entries":…}' snapshot load, RSS, lookups, decisions
 * Prints one JSON line with its figures.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
// The validator's whole module graph, as the daemon loads it, so that the baseline RSS is the daemon's.
import '../src/cli/main.ts';
import { DenyListStore } from '../src/deny-list/deny-list-store.ts';
import { depotListFile } from '../src/deny-list/verified-list.ts';
import { decideTap, type TapInput } from '../src/domain/decide.ts';
import { systemClock } from '../src/domain/time.ts';
import { silentLogger } from '../src/log/logger.ts';
import { generatedCard } from './deny-list-fixtures.ts';
import { card, context, fares, TIME_ZONE } from './tap-fixtures.ts';

const MB = 1024 * 1024;
const rssMb = (): number => process.memoryUsage().rss / MB;
/** Peak RSS of this process so far. */
const maxRssMb = (): number => (process.resourceUsage().maxRSS * 1024) / MB;

export interface UpdateFigures {
  readonly ms: number;
  /** The longest the event loop was held up while the update ran, and the 99th percentile. */
  readonly maxLoopDelayMs: number;
  readonly p99LoopDelayMs: number;
  /** Time the main thread spent running rather than waiting (event-loop utilization): its own share of the work. */
  readonly mainBusyMs: number;
}

export interface ImportPhase {
  readonly baselineRssMb: number;
  readonly full: UpdateFigures;
  readonly delta: UpdateFigures;
  readonly compaction: UpdateFigures;
  readonly peakRssMb: number;
}

export interface Latency {
  readonly n: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly maxUs: number;
}

export interface StartPhase {
  readonly baselineRssMb: number;
  readonly snapshotLoadMs: number;
  readonly loadedRssMb: number;
  readonly entries: number;
  readonly lookupListed: Latency;
  readonly lookupUnlisted: Latency;
  readonly decideUnlisted: Latency;
  readonly decideListed: Latency;
}

/** Times an update while a histogram watches the event loop (1 ms resolution). */
async function watched(update: () => Promise<unknown>): Promise<UpdateFigures> {
  const loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const utilization = performance.eventLoopUtilization();
  const started = performance.now();
  await update();
  const ms = performance.now() - started;
  const busy = performance.eventLoopUtilization(utilization);
  loop.disable();
  // The histogram holds loop delays in ns, including the 1 ms timer interval itself.
  return { ms, maxLoopDelayMs: loop.max / 1e6, p99LoopDelayMs: loop.percentile(99) / 1e6, mainBusyMs: busy.active };
}

async function importPhase(args: { stateDir: string; full: string; delta: string }): Promise<ImportPhase> {
  const baselineRssMb = rssMb();
  const store = DenyListStore.open({ stateDir: args.stateDir, clock: systemClock, log: silentLogger, compactAt: () => 0 });
  const full = await watched(() => store.apply(depotListFile(args.full)));
  const delta = await watched(() => store.apply(depotListFile(args.delta)));
  // compactAt 0: the delta queued a compaction of the whole list right behind it, which starts now.
  const compaction = await watched(() => store.idle());
  return { baselineRssMb, full, delta, compaction, peakRssMb: maxRssMb() };
}

function percentiles(samples: Float64Array): Latency {
  const sorted = samples.slice().sort();
  const at = (p: number): number => (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN) * 1000;
  return { n: sorted.length, p50Us: at(50), p99Us: at(99), maxUs: (sorted[sorted.length - 1] ?? Number.NaN) * 1000 };
}

function settle(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
}

function startPhase(args: { stateDir: string; entries: number }): StartPhase {
  settle();
  const baselineRssMb = rssMb();
  const started = performance.now();
  const store = DenyListStore.open({ stateDir: args.stateDir, clock: systemClock, log: silentLogger });
  const snapshotLoadMs = performance.now() - started;
  settle();
  const loadedRssMb = rssMb();

  // Cards drawn from the listed population and from the same issuers' unlisted numbers, in a fixed order.
  const SAMPLE = 100_000;
  const ROUNDS = 10;
  let seed = 12345;
  const next = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648);
  const listed: string[] = [];
  const unlisted: string[] = [];
  while (listed.length < SAMPLE) {
    const c = generatedCard(next() % args.entries);
    if (store.lookup(c) !== undefined) listed.push(c);
  }
  while (unlisted.length < SAMPLE) unlisted.push(generatedCard(args.entries * 2 + (next() % args.entries)));

  const time = (cards: readonly string[], f: (c: string) => unknown): Latency => {
    const samples = new Float64Array(cards.length * ROUNDS);
    let k = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of cards) {
        const t = performance.now();
        f(c);
        samples[k++] = performance.now() - t;
      }
    }
    return percentiles(samples);
  };
  const lookupListed = time(listed, (c) => store.lookup(c));
  const lookupUnlisted = time(unlisted, (c) => store.lookup(c));
  const now = Date.now();
  const tap = (number: string): TapInput => ({ card: { ...card(1, now), number }, context, now, denyList: store, fares, timeZone: TIME_ZONE });
  const decideUnlisted = time(unlisted.slice(0, 20_000), (c) => decideTap(tap(c)));
  const decideListed = time(listed.slice(0, 20_000), (c) => decideTap(tap(c)));
  return { baselineRssMb, snapshotLoadMs, loadedRssMb, entries: store.size, lookupListed, lookupUnlisted, decideUnlisted, decideListed };
}

const [phase, json] = process.argv.slice(2);
const args = JSON.parse(json ?? '{}') as never;
const result = phase === 'import' ? await importPhase(args) : phase === 'start' ? startPhase(args) : null;
if (result === null) throw new Error(`unknown phase ${String(phase)}: import or start`);
process.stdout.write(JSON.stringify(result) + '\n');
