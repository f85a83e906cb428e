/** `validator selftest`: every device and the backend, PASS / FAIL / SKIP with what to do; exit 0 when nothing failed. */
import { InvalidArgumentError, type Command } from 'commander';
import { resolvePaths } from '../app/paths.ts';
import type { CheckResult, Verdict } from '../app/selftest/check.ts';
import { runSelftest, type SelftestSetup } from '../app/selftest/run-selftest.ts';

export interface SelftestCommandOptions {
  readonly stateDir?: string;
  readonly config?: string;
  readonly simulate?: boolean;
  readonly json?: boolean;
  /** Seconds a device or the backend may take to answer. */
  readonly timeout: number;
}

const NAME_WIDTH = 14;
const LABEL: Readonly<Record<Verdict, string>> = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' };

export function registerSelftestCommand(program: Command): void {
  program
    .command('selftest')
    .description('check every device and the backend: PASS, FAIL (with what to do) or SKIP, one line each')
    .option('--config <file>', 'without the service: the config it would start with (default: $VALIDATOR_CONFIG or /etc/validator/config.json)')
    .option('--simulate', 'without the service: the state directory is a simulation\'s (default: guessed from its sim-cards/)')
    .option('--timeout <seconds>', 'how long a reader, the GPS, a display or the backend may take to answer', seconds, 10)
    .option('--json', 'one JSON document: {format, running, mode, passed, failed, skipped, results: [{name, verdict, detail, fix}]}')
    .addHelpText(
      'after',
      '\nWhile the service runs it holds the readers, serial ports and journal: their lines come from its status (they say so),\n' +
        'and the journal\'s hash chain is verified only with the service stopped.\nExit code: 0 when no check failed (SKIPs allowed), 1 when any did.',
    )
    .action(async (options: Omit<SelftestCommandOptions, 'stateDir'>) => {
      process.exitCode = await selftestCommand({ ...program.opts<{ stateDir?: string }>(), ...options });
    });
}

export async function selftestCommand(options: SelftestCommandOptions): Promise<number> {
  const paths = resolvePaths(options);
  const out = (text: string): void => void process.stdout.write(text);
  let setup: SelftestSetup | null = null;
  const results = await runSelftest(
    { paths, simulate: options.simulate ?? null, timeoutMs: options.timeout * 1000 },
    (s) => {
      setup = s;
      if (!options.json) out(`${setupLine(s, paths.stateDir)}\n`);
    },
    (r) => {
      if (!options.json) out(formatResult(r));
    },
  );
  const count = (v: Verdict): number => results.filter((r) => r.verdict === v).length;
  const failed = count('fail');
  if (options.json) {
    const s = setup as SelftestSetup | null;
    out(JSON.stringify({ format: 1, stateDir: paths.stateDir, running: s?.running ?? false, mode: s?.mode ?? null, passed: count('pass'), failed, skipped: count('skip'), results }) + '\n');
  } else {
    out(`\nselftest: ${count('pass')} passed, ${failed} failed, ${count('skip')} skipped${failed > 0 ? ': fix the FAIL lines above, then run it again' : ''}\n`);
  }
  return failed === 0 ? 0 : 1;
}

function setupLine(s: SelftestSetup, stateDir: string): string {
  if (s.running) return `validator selftest · ${stateDir} · the service runs (pid ${s.pid ?? '?'}, ${s.mode}): it holds the devices, their results come from it`;
  return `validator selftest · ${stateDir} · the service is not running (${s.mode}): devices are opened here`;
}

/** "PASS  config          /etc/…", and on a FAIL (or a SKIP with advice) "→ what to do" beneath. */
export function formatResult(r: CheckResult): string {
  const head = `${LABEL[r.verdict]}  ${r.name.padEnd(NAME_WIDTH)}  ${r.detail}\n`;
  return r.fix === null ? head : `${head}${' '.repeat(6 + NAME_WIDTH + 2)}→ ${r.fix}\n`;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 300) throw new InvalidArgumentError('seconds between 0 and 300');
  return n;
}
