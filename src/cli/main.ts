import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { describeError, isValidatorError } from '../domain/errors.ts';
import { registerBackendCommands } from './backend-command.ts';
import { registerCardCommands } from './card-command.ts';
import { registerDenylistCommands } from './denylist-command.ts';
import { registerFaresCommands } from './fares-command.ts';
import { registerGpsCommands } from './gps-command.ts';
import { registerProvisionCommands } from './provision-command.ts';
import { runCommand } from './run-command.ts';
import { registerSelftestCommand } from './selftest-command.ts';
import { registerStatusCommand } from './status-command.ts';
import { registerSyncCommands } from './sync-command.ts';
import { tapCommand } from './tap-command.ts';
import { tapsCommand } from './taps-command.ts';

/** Exit codes scripts can rely on. */
export const EXIT = { ok: 0, failed: 1, usage: 2, noDecision: 3 } as const;

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('a whole number ≥ 0 is expected');
  return n;
}

/** The `validator` command line: one executable, a subcommand each, `--help` on each. */
export function buildProgram(): Command {
  const program = new Command('validator')
    .description('Qom Card bus fare validator')
    .option('--state-dir <dir>', 'state directory (default: $VALIDATOR_STATE_DIR, the checkout\'s .data, or /var/lib/validator)')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('run')
    .description('run the validator daemon')
    .option('--config <file>', 'config file (default: $VALIDATOR_CONFIG or /etc/validator/config.json)')
    .option('--simulate', 'simulate every device: readers with virtual cards, the passenger display')
    .option('--no-panel', 'log one line per tap even on a terminal')
    .option('--local-backend', 'also run the reference sync receiver (data in <state dir>/backend), enroll with it on first start, and sync with it')
    .action(async (options: { config?: string; simulate?: boolean; localBackend?: boolean; panel: boolean }) => {
      process.exitCode = await runCommand({ ...program.opts<{ stateDir?: string }>(), ...options });
    });

  program
    .command('tap')
    .description('present a simulated card to the running validator and print what the passenger was shown')
    .argument('<profile>', 'card profile (run "validator tap list" for the list)')
    .option('--reader <id>', 'the door to present it at (default: the first reader)')
    .option('--json', 'print the outcome as JSON')
    .action(async (profile: string, options: { reader?: string; json?: boolean }) => {
      process.exitCode = await tapCommand({ ...program.opts<{ stateDir?: string }>(), ...options, profile });
    });

  program
    .command('taps')
    .description('print journal records')
    .option('--since <seq>', 'only records after this sequence number', integer, 0)
    .option('--limit <n>', 'at most this many records', integer, 100)
    .option('--json', 'one JSON record a line')
    .action(async (options: { since: number; limit: number; json?: boolean }) => {
      process.exitCode = await tapsCommand({ ...program.opts<{ stateDir?: string }>(), ...options });
    });

  registerStatusCommand(program);
  registerSelftestCommand(program);
  registerCardCommands(program);
  registerFaresCommands(program);
  registerDenylistCommands(program);
  registerGpsCommands(program);
  registerBackendCommands(program);
  registerSyncCommands(program);
  registerProvisionCommands(program);

  return program;
}

/** Runs the command line; a ValidatorError prints its message, anything else is a bug and keeps its stack. */
export async function main(argv: readonly string[]): Promise<void> {
  ignoreClosedReader(process.stdout);
  ignoreClosedReader(process.stderr);
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    if (!isValidatorError(e)) throw e;
    process.stderr.write(`validator: ${describeError(e)}\n`);
    process.exitCode = EXIT.failed;
  }
}

/**
 * `validator selftest | head`: once the reader has gone, output has nowhere to go, and that is no reason to
 * crash with EPIPE halfway through (nor, for the daemon, when journald restarts). The command finishes and
 * its exit code stands.
 */
function ignoreClosedReader(stream: NodeJS.WriteStream): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
  });
}
