import type { Command } from 'commander';
import { gatherStatus } from '../app/diagnosis/gather-status.ts';
import { resolvePaths } from '../app/paths.ts';
import { softwareVersion } from '../app/package-root.ts';
import { formatStatusTable } from './status-table.ts';

export interface StatusCommandOptions {
  readonly stateDir?: string;
  readonly config?: string;
  readonly json?: boolean;
  readonly simulate?: boolean;
}

/** Adds `validator status [--json]`. */
export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('the validator\'s state, problems first: from the running service, else read from the state directory')
    .option('--json', 'one JSON document (its fields: docs/depot.md, "validator status")')
    .option('--config <file>', 'without the service: the config it would start with (default: $VALIDATOR_CONFIG or /etc/validator/config.json)')
    .option('--simulate', 'without the service: the state directory is a simulation\'s (default: guessed from its sim-cards/)')
    .addHelpText('after', '\nExit code: 0 in service with no problem; 1 when not running, out of service, or any problem is listed.')
    .action(async (options: { json?: boolean; config?: string; simulate?: boolean }) => {
      process.exitCode = await statusCommand({ ...program.opts<{ stateDir?: string }>(), ...options });
    });
}

/** `validator status`: exit 0 in service with no problem, else 1 (not running, out of service, a problem listed). */
export async function statusCommand(options: StatusCommandOptions): Promise<number> {
  const paths = resolvePaths(options);
  const doc = await gatherStatus({ paths, softwareVersion: softwareVersion(), simulate: options.simulate ?? null, now: Date.now });
  process.stdout.write(options.json ? JSON.stringify(doc) + '\n' : formatStatusTable(doc));
  return doc.running && doc.problems.length === 0 ? 0 : 1;
}
