/**
 * The GTFS-Fares decision alone, in microseconds: `npx tsx bench/fares.ts`, or `runFaresBench()` from
 * bench/run.ts with `faresBenchMarkdown(result)` appended to docs/performance.md.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CardData } from '../src/domain/card.ts';
import { decideTap } from '../src/domain/decide.ts';
import type { DenyList } from '../src/domain/deny-list.ts';
import type { TapContext } from '../src/domain/tap-context.ts';
import type { FareBundle } from '../src/fares/fare-bundle.ts';
import { GtfsFarePolicy } from '../src/fares/gtfs-fare-policy.ts';
import { compileFareBundle, requireBundle } from '../src/fares/load-fare-bundle.ts';
import { summarize, type Summary } from './percentiles.ts';

export interface FaresBenchResult {
  readonly iterations: number;
  readonly warmup: number;
  /** Microseconds per decision, one summary a scenario. */
  readonly scenarios: readonly { readonly name: string; readonly micros: Summary }[];
}

const SAMPLE = fileURLToPath(new URL('../fares/qom-1404', import.meta.url));
const TRANSFER_LINE = 'city_bus,city_bus,1,3600,1,0,\n';
const DAY_MS = 86_400_000;
/** Tuesday 2025-06-03 05:00 in Tehran; taps spread over the following days. */
const START = Date.UTC(2025, 5, 3, 1, 30, 0);

/** Measures the engine on the sample bundle (with and without its transfer rule) and on a large synthetic one. */
export function runFaresBench(options: { iterations?: number; warmup?: number } = {}): FaresBenchResult {
  const iterations = options.iterations ?? 100_000;
  const warmup = options.warmup ?? 20_000;
  const firstBoarding = new GtfsFarePolicy(sampleBundle(false));
  const withTransfer = new GtfsFarePolicy(sampleBundle(true));
  const large = new GtfsFarePolicy(largeBundle());
  const deny = setDenyList(5000);

  const scenarios: readonly { readonly name: string; readonly decide: (i: number) => void }[] = [
    { name: 'sample bundle: first boarding', decide: (i) => void firstBoarding.quote(card(i, false), context(i), now(i)) },
    { name: 'sample bundle + 60-min transfer: transfer', decide: (i) => void withTransfer.quote(card(i, true), context(i), now(i)) },
    { name: 'large bundle (4,020 leg rules, 1,000 stops): transfer', decide: (i) => void large.quote(card(i, true), context(i), now(i)) },
    {
      name: 'decideTap: deny list (5,000) + sample + transfer',
      decide: (i) => void decideTap({ card: card(i, true), context: context(i), now: now(i), denyList: deny, fares: withTransfer, timeZone: 'Asia/Tehran' }),
    },
  ];
  return {
    iterations,
    warmup,
    scenarios: scenarios.map(({ name, decide }) => {
      for (let i = 0; i < warmup; i++) decide(i);
      const micros = new Array<number>(iterations);
      for (let i = 0; i < iterations; i++) {
        const start = process.hrtime.bigint();
        decide(i);
        micros[i] = Number(process.hrtime.bigint() - start) / 1000;
      }
      return { name, micros: summarize(micros) };
    }),
  };
}

/** Console lines: one a scenario. */
export function formatFaresBench(r: FaresBenchResult): string[] {
  return [
    `${'fare decision'.padEnd(56)}${'n'.padStart(8)}${'p50 µs'.padStart(9)}${'p99 µs'.padStart(9)}${'mean µs'.padStart(9)}`,
    ...r.scenarios.map(
      (s) => `${s.name.padEnd(56)}${String(s.micros.n).padStart(8)}${s.micros.p50.toFixed(2).padStart(9)}${s.micros.p99.toFixed(2).padStart(9)}${s.micros.mean.toFixed(2).padStart(9)}`,
    ),
  ];
}

/** A section for docs/performance.md. */
export function faresBenchMarkdown(r: FaresBenchResult): string {
  return [
    '## The fare decision (GTFS-Fares)',
    '',
    `\`GtfsFarePolicy.quote\` timed call by call (\`process.hrtime.bigint\`, which adds about 0.05 µs), ${r.iterations} calls a`,
    `scenario after ${r.warmup} warm-up calls. Each call is another card: its last trip 5 to 55 minutes earlier on another bus,`,
    'taps spread over days, so the time-zone cache sees a new quarter hour as often as real taps would.',
    '',
    '| scenario | n | p50 µs | p99 µs | mean µs |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...r.scenarios.map((s) => `| ${s.name} | ${s.micros.n} | ${s.micros.p50.toFixed(2)} | ${s.micros.p99.toFixed(2)} | ${s.micros.mean.toFixed(2)} |`),
    '',
  ].join('\n');
}

function sampleBundle(transfer: boolean): FareBundle {
  const files: Record<string, string> = {};
  for (const name of readdirSync(SAMPLE).filter((n) => n.endsWith('.txt'))) files[name] = readFileSync(join(SAMPLE, name), 'utf8');
  if (transfer) files['fare_transfer_rules.txt'] += TRANSFER_LINE;
  const manifest: unknown = JSON.parse(readFileSync(join(SAMPLE, 'manifest.json'), 'utf8'));
  return requireBundle(compileFareBundle(manifest, files, 'manifest.json'), SAMPLE);
}

/**
 * 20 networks × 100 areas, a rule each (2,000), the same again in a peak timeframe at a higher priority,
 * 20 network-wide fallbacks: 4,020 leg rules, each network its own leg group, with transfers between them.
 */
function largeBundle(): FareBundle {
  const lines = (header: string, rows: string[]): string => [header, ...rows].join('\n') + '\n';
  const networks = Array.from({ length: 20 }, (_, n) => `n${n}`);
  const areas = Array.from({ length: 100 }, (_, a) => `a${a}`);
  const legRules: string[] = [];
  for (const n of networks) {
    legRules.push(`${n},${n},,,,p0,0`);
    for (const [i, a] of areas.entries()) {
      legRules.push(`${n},${n},${a},,,p${i % 10},1`);
      legRules.push(`${n},${n},${a},peak,,peak${i % 10},2`);
    }
  }
  const products = Array.from({ length: 10 }, (_, p) => [`p${p},adult,card,${30_000 + p * 1000},IRR`, `peak${p},adult,card,${40_000 + p * 1000},IRR`]).flat();
  const files = {
    'fare_media.txt': lines('fare_media_id,fare_media_type', ['card,2']),
    'rider_categories.txt': lines('rider_category_id,rider_category_name,is_default_fare_category', ['adult,Adult,1']),
    'fare_products.txt': lines('fare_product_id,rider_category_id,fare_media_id,amount,currency', [...products, 'hop,adult,card,5000,IRR']),
    'networks.txt': lines('network_id', networks),
    'route_networks.txt': lines('network_id,route_id', Array.from({ length: 100 }, (_, r) => `n${r % 20},r${r}`)),
    'areas.txt': lines('area_id', areas),
    'stops.txt': lines('stop_id', Array.from({ length: 1000 }, (_, s) => `s${s}`)),
    'stop_areas.txt': lines('area_id,stop_id', Array.from({ length: 1000 }, (_, s) => `a${s % 100},s${s}`)),
    'calendar.txt': lines('service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date', ['work,1,1,1,0,0,1,1,20250321,20260320']),
    'timeframes.txt': lines('timeframe_group_id,start_time,end_time,service_id', ['peak,06:30:00,09:00:00,work', 'peak,16:00:00,19:00:00,work']),
    'fare_leg_rules.txt': lines('leg_group_id,network_id,from_area_id,from_timeframe_group_id,to_area_id,fare_product_id,rule_priority', legRules),
    'fare_transfer_rules.txt': lines(
      'from_leg_group_id,to_leg_group_id,transfer_count,duration_limit,duration_limit_type,fare_transfer_type,fare_product_id',
      ['n0,n1,,3600,1,0,hop', ',,-1,5400,1,0,hop', ...networks.map((n) => `${n},${n},2,3600,1,0,`)],
    ),
  };
  const manifest = { version: 'bench-large', effectiveFrom: '2025-03-21', currency: 'IRR', timezone: 'Asia/Tehran' };
  return requireBundle(compileFareBundle(manifest, files, 'manifest.json'), 'synthetic');
}

/** Tap i: every 37 seconds from START, so a run covers days, peaks and nights. */
function now(i: number): number {
  return START + ((i * 37_000) % (14 * DAY_MS));
}

function context(i: number): TapContext {
  return { device: 'QV-0042', vehicle: 'BUS-3107', route: `r${i % 100}`, stop: `s${(i * 7) % 1000}`, reader: 'front' };
}

/** Card i: funded; when `travelled`, a last trip 5 to 55 minutes earlier on another bus and route of the same network. */
function card(i: number, travelled: boolean): CardData {
  const t = now(i);
  const last = Math.floor((t - (5 + (i % 51)) * 60_000) / 1000) * 1000;
  return {
    uid: '04A1B2C3D4E5F6',
    number: `60379912${String(i % 100_000_000).padStart(8, '0')}`,
    category: 'adult',
    issued: '2024-09-01',
    expires: '2027-08-31',
    status: 'active',
    layoutVersion: 1,
    balance: 1_250_000,
    counter: 100 + i,
    lastTrip: travelled ? { time: last, route: `r${(i + 20) % 100}`, stop: `s${(i * 13) % 1000}`, amount: 37_000, vehicle: 'BUS-2201', device: 'QV-0107', transfersUsed: 0, chainStart: last } : null,
  };
}

function setDenyList(count: number): DenyList {
  const numbers = new Set(Array.from({ length: count }, (_, i) => `60379980${String(i * 7919).padStart(8, '0')}`));
  return { version: 'bench', lookup: (n) => (numbers.has(n) ? { cardNumber: n, reason: 'lost' } : undefined) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = runFaresBench({ iterations: Number(process.env['BENCH_ITERATIONS'] ?? 100_000) });
  for (const line of formatFaresBench(result)) console.log(line);
}
