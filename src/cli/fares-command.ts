import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { describeError, isValidatorError } from '../domain/errors.ts';
import { formatOffset, utcOffsetMinutes } from '../domain/time.ts';
import { formatMoneyEn } from '../feedback/money-format.ts';
import type { FareBundle } from '../fares/fare-bundle.ts';
import { GtfsFarePolicy } from '../fares/gtfs-fare-policy.ts';
import { formatProblem, type BundleProblem } from '../fares/problems.ts';
import { quoteRides, type RideQuote } from '../fares/quote-rides.ts';
import { loadFareBundleDir } from '../fares/read-bundle-dir.ts';
import { parseRides } from '../fares/rides.ts';
import { EXIT } from './main.ts';

/** Where the fares commands write and how they end; tests pass their own. */
export interface FaresCommandIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly exit: (code: number) => void;
}

const processIo: FaresCommandIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  exit: (code) => {
    process.exitCode = code;
  },
};

interface QuoteOptions {
  readonly category: string;
  readonly taps: string;
  readonly media?: string;
  readonly json?: boolean;
  readonly repeatWindow: number;
}

/** Adds `fares check DIR` and `fares quote DIR --category C --taps FILE [--media ID] [--json]` to the program. */
export function registerFaresCommands(program: Command, io: FaresCommandIo = processIo): void {
  const fares = program.command('fares').description('check a GTFS-Fares v2 bundle, and quote rides with it as the validator would charge them');

  fares
    .command('check')
    .description('validate a bundle directory: a summary when it is valid, every problem (file:line: reason) when not')
    .argument('<dir>', 'bundle directory (manifest.json and the GTFS .txt files)')
    .action((dir: string) => {
      io.exit(check(dir, io));
    });

  fares
    .command('quote')
    .description('what one card with enough balance pays for the rides in a file, tap by tap, through the validator\'s own decision')
    .argument('<dir>', 'bundle directory')
    .requiredOption('--category <id>', 'the card\'s rider category (adult, student, senior, veteran)')
    .requiredOption('--taps <file>', 'JSON lines {"time": "2025-04-21T07:30:00", "route": "12", "stop": "S-1"}; time without an offset is local to the bundle')
    .option('--media <id>', 'the fare_media_id to pay with (default: the bundle\'s transit card)')
    .option('--repeat-window <seconds>', 'same card on the same bus within this is "already paid"', seconds, 10)
    .option('--json', 'one JSON object a tap')
    .action((dir: string, options: QuoteOptions) => {
      io.exit(quote(dir, options, io));
    });
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('a whole number of seconds ≥ 0 is expected');
  return n;
}

function check(dir: string, io: FaresCommandIo): number {
  const result = loadFareBundleDir(dir);
  if (!result.ok) return refused(dir, result.problems, io);
  const s = result.bundle.summary;
  const lines = [
    `fare bundle ${s.version} (${dir}): valid`,
    `  effective from ${s.effectiveFrom}, time zone ${s.timeZone}, currency ${s.currency}, transit card medium ${s.cardMedium ?? '(several: pass --media)'}`,
    `  rider categories (${s.categories.length}): ${s.categories.join(', ')}`,
    `  fare products (${s.products.length}):`,
    ...s.products.map((p) => `    ${p.id} "${p.name}": ${p.prices.join(', ')}`),
    `  leg rules: ${s.legRules} (${s.priorityMode ? 'rule_priority: the highest matching rule wins, an empty field matches anything' : 'no rule_priority: an empty field matches what no other rule lists'})`,
    `  transfer rules: ${s.transferRules}`,
    `  timeframe groups: ${s.timeframeGroups}`,
  ];
  io.out(lines.join('\n') + '\n');
  return EXIT.ok;
}

function quote(dir: string, options: QuoteOptions, io: FaresCommandIo): number {
  const result = loadFareBundleDir(dir);
  if (!result.ok) return refused(dir, result.problems, io);
  const bundle = result.bundle;
  let text: string;
  try {
    text = readFileSync(options.taps, 'utf8');
  } catch (e) {
    io.err(`validator: cannot read ${options.taps}: ${(e as Error).message}\n`);
    return EXIT.failed;
  }
  const { rides, problems } = parseRides(options.taps, text, bundle.timeZone);
  if (problems.length > 0) {
    io.err(problems.map((p) => formatProblem(p)).join('\n') + '\n');
    return EXIT.failed;
  }
  let policy: GtfsFarePolicy;
  try {
    policy = new GtfsFarePolicy(bundle, { repeatWindowMs: options.repeatWindow * 1000, ...(options.media === undefined ? {} : { medium: options.media }) });
  } catch (e) {
    if (!isValidatorError(e)) throw e;
    io.err(`validator: ${describeError(e)}\n`);
    return EXIT.failed;
  }
  const early = rides.filter((r) => r.time < bundle.effectiveFrom).length;
  if (early > 0) {
    io.err(`note: ${early} of the rides are before the bundle's effectiveFrom (${bundle.summary.effectiveFrom}); a validator would still charge those by the bundle before it\n`);
  }
  const quotes = quoteRides(policy, options.category, rides, bundle.timeZone);
  if (options.json) {
    for (const q of quotes) io.out(JSON.stringify(toJson(q, bundle)) + '\n');
  } else {
    for (const q of quotes) io.out(describe(q, bundle) + '\n');
    const total = quotes.reduce((sum, q) => sum + q.amount, 0);
    io.out(`total ${formatMoneyEn(total)} for ${quotes.length} taps (category ${options.category}, medium ${policy.medium}, bundle ${bundle.version})\n`);
  }
  return EXIT.ok;
}

function refused(dir: string, problems: readonly BundleProblem[], io: FaresCommandIo): number {
  io.err(`fare bundle ${dir} is refused: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n`);
  io.err(problems.map((p) => `  ${formatProblem(p)}`).join('\n') + '\n');
  return EXIT.failed;
}

function describe(q: RideQuote, bundle: FareBundle): string {
  const chain = q.chain ? `chain: ${q.chain.transfersUsed} transfers since ${localTime(q.chain.chainStart, bundle.timeZone)}` : 'chain: none';
  return [
    localTime(q.ride.time, bundle.timeZone),
    `route ${q.ride.route ?? '-'}`.padEnd(12),
    `stop ${q.ride.stop ?? '-'}`.padEnd(14),
    q.result.padEnd(6),
    q.reason.padEnd(20),
    formatMoneyEn(q.amount).padStart(14),
    (q.transfer ? 'transfer' : '').padEnd(8),
    chain,
  ].join('  ');
}

function toJson(q: RideQuote, bundle: FareBundle): object {
  return {
    time: localTime(q.ride.time, bundle.timeZone).replace(' ', 'T'),
    route: q.ride.route,
    stop: q.ride.stop,
    vehicle: q.ride.vehicle,
    result: q.result,
    reason: q.reason,
    amount: q.amount,
    transfer: q.transfer,
    chain: q.chain === null ? null : { transfersUsed: q.chain.transfersUsed, chainStart: localTime(q.chain.chainStart, bundle.timeZone).replace(' ', 'T') },
  };
}

/** "2025-04-21 07:30:00+03:30": wall time in the bundle's zone with its offset. */
function localTime(epochMs: number, timeZone: string): string {
  const offset = utcOffsetMinutes(epochMs, timeZone);
  return `${new Date(epochMs + offset * 60_000).toISOString().slice(0, 19).replace('T', ' ')}${formatOffset(offset)}`;
}
