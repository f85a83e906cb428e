/** `validator enroll` (make the device key, enroll it with a one-time code) and `validator sync now`. */
import { mkdirSync } from 'node:fs';
import type { Command } from 'commander';
import { resolvePaths } from '../app/paths.ts';
import { deviceKeyFile, enrollmentFile } from '../app/start-sync.ts';
import { loadConfigFile, parseConfig } from '../config/load-config.ts';
import { callControl } from '../control/control-client.ts';
import { ErrorCode, ValidatorError } from '../domain/errors.ts';
import { enroll } from '../../sync/client/enrollment.ts';
import type { RoundResult, SyncState } from '../../sync/client/sync-client.ts';

/** A round drains the whole backlog; weeks offline at a few thousand taps a day is well within this. */
const SYNC_NOW_TIMEOUT_MS = 30 * 60_000;

interface Common {
  readonly stateDir?: string;
  readonly config?: string;
}

export function registerSyncCommands(program: Command): void {
  const common = (): Common => program.opts<Common>();

  program
    .command('enroll')
    .description('make the device key (kept in the state directory, mode 0600) and enroll it with the backend using a one-time code')
    .requiredOption('--backend <url>', 'the backend, https:// (http:// only to loopback)')
    .requiredOption('--code <code>', 'the one-time enrollment code the backend issued')
    .requiredOption('--device-id <id>', 'this device\'s id (the config\'s device.id)')
    .option('--config <file>', 'config file (for sync.keyFile)')
    .action(async (options: { backend: string; code: string; deviceId: string; config?: string }) => {
      process.exitCode = await enrollCommand({ ...common(), ...options });
    });

  program
    .command('sync')
    .description('sync with the backend')
    .command('now')
    .description('start a sync round in the running validator now and wait for it')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      process.exitCode = await syncNowCommand({ ...common(), ...options });
    });
}

export async function enrollCommand(options: Common & { backend: string; code: string; deviceId: string }): Promise<number> {
  const paths = resolvePaths(options);
  const config = paths.configFile ? loadConfigFile(paths.configFile) : parseConfig({}, 'the built-in defaults');
  mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
  try {
    const done = await enroll({
      backendUrl: options.backend,
      code: options.code,
      deviceId: options.deviceId,
      keyFile: deviceKeyFile(config, paths),
      enrollmentFile: enrollmentFile(paths),
    });
    process.stdout.write(`enrolled as ${done.deviceId} with ${done.backendUrl}; restart the validator to start syncing\n`);
    return 0;
  } catch (e) {
    throw new ValidatorError(ErrorCode.BadRequest, `enrollment failed: ${(e as Error).message}`, { cause: e });
  }
}

export async function syncNowCommand(options: Common & { json?: boolean }): Promise<number> {
  const paths = resolvePaths(options);
  const answer = (await callControl(paths.controlSocket, 'sync.now', {}, { timeoutMs: SYNC_NOW_TIMEOUT_MS })) as { result: RoundResult; state: SyncState };
  const r = answer.result;
  if (options.json) process.stdout.write(JSON.stringify(answer) + '\n');
  else if (r.ok) process.stdout.write(`synced: ${r.uploaded} taps uploaded, journal synced through seq ${r.syncedThrough}\n`);
  else process.stdout.write(`sync failed after ${r.uploaded} taps (synced through seq ${r.syncedThrough}): ${r.problem ?? 'unknown'}\n`);
  return r.ok ? 0 : 1;
}
