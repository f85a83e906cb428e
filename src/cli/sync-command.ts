/** `validator enroll` (make the device key, enroll it with a one-time code) and `validator sync now`. */
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { resolvePaths } from '../app/paths.ts';
import { deviceKeyFile, enrollmentFile } from '../app/start-sync.ts';
import { loadConfigFile, parseConfig } from '../config/load-config.ts';
import { callControl } from '../control/control-client.ts';
import { openStateJournal } from '../app/open-state-journal.ts';
import { ErrorCode, isValidatorError, ValidatorError } from '../domain/errors.ts';
import { systemClock } from '../domain/time.ts';
import { silentLogger } from '../log/logger.ts';
import { deviceKey, enroll, readEnrollment } from '../../sync/client/enrollment.ts';
import { exportUnsynced, type ExportResult } from '../../sync/client/export-unsynced.ts';
import type { RoundResult, SyncState } from '../../sync/client/sync-client.ts';
import type { StatusReport } from '../app/status-report.ts';
import { unsyncedTaps } from '../app/list-facts.ts';
import { pollWhile } from './poll-while.ts';
import { progress, type Progress } from './progress.ts';

/** A round drains the whole backlog; weeks offline at a few thousand taps a day is well within this. */
const SYNC_NOW_TIMEOUT_MS = 30 * 60_000;
/** How often `sync now` asks the daemon for its backlog while the round runs. */
const BACKLOG_POLL_MS = 500;

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
    .command('export')
    .description('depot fallback: write the taps not yet synced as one file signed by the device key (import it with validator backend import)')
    .requiredOption('--to <dir>', 'the directory to write it in (a USB stick, say)')
    .option('--config <file>', 'config file (for sync.keyFile and the journal limits)')
    .action(async (options: { to: string; config?: string }) => {
      process.exitCode = await exportCommand({ ...common(), ...options });
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
    throw new ValidatorError(isValidatorError(e) ? e.code : ErrorCode.BadRequest, `enrollment failed: ${(e as Error).message}`, { cause: e });
  }
}

/** Through the running daemon when there is one (it holds the journal), else from the journal file. */
export async function exportCommand(options: Common & { to: string }): Promise<number> {
  const paths = resolvePaths(options);
  const dir = resolve(options.to);
  mkdirSync(dir, { recursive: true });
  let result: ExportResult | null;
  try {
    result = (await callControl(paths.controlSocket, 'sync.export', { dir }, { timeoutMs: SYNC_NOW_TIMEOUT_MS })) as ExportResult;
  } catch (e) {
    if (!isValidatorError(e, ErrorCode.ControlUnavailable)) throw e;
    const config = paths.configFile ? loadConfigFile(paths.configFile) : parseConfig({}, 'the built-in defaults');
    const keyFile = deviceKeyFile(config, paths);
    if (!existsSync(keyFile)) throw new ValidatorError(ErrorCode.InvalidState, `no device key at ${keyFile}: the device must be enrolled (validator enroll) before it can sign an export`);
    const deviceId = readEnrollment(enrollmentFile(paths))?.deviceId ?? config.device.id;
    const journal = openStateJournal(config, paths.journal, systemClock, silentLogger);
    // Made at the first tap written: with nothing to export there is nothing to show.
    const shown: { bar: Progress | null } = { bar: null };
    try {
      result = await exportUnsynced(journal, deviceId, deviceKey(keyFile).privateKey, dir, Date.now(), (done, total) => {
        (shown.bar ??= progress('export')).update(done, total);
      });
      shown.bar?.done();
    } finally {
      journal.close();
    }
  }
  if (result === null) process.stdout.write('nothing to export: every tap in the journal is synced\n');
  else process.stdout.write(`${result.count} taps (seq ${result.fromSeq}–${result.toSeq}) written to ${result.file}\n`);
  return 0;
}

/**
 * A round in the daemon; while it runs (the first sync of a long backlog takes minutes) the daemon's backlog is
 * asked for twice a second and shown shrinking: the control socket answers a call once, at its end.
 */
export async function syncNowCommand(options: Common & { json?: boolean }): Promise<number> {
  const paths = resolvePaths(options);
  const before = await backlogOf(paths.controlSocket).catch(() => null);
  const bar = before !== null && before > 0 ? progress('sync') : null;
  const round = callControl(paths.controlSocket, 'sync.now', {}, { timeoutMs: SYNC_NOW_TIMEOUT_MS }) as Promise<{ result: RoundResult; state: SyncState }>;
  let answer: { result: RoundResult; state: SyncState };
  try {
    answer = await pollWhile(round, BACKLOG_POLL_MS, async () => {
      const left = await backlogOf(paths.controlSocket);
      if (bar && before !== null) bar.update(Math.max(0, before - left), before);
    });
  } catch (e) {
    bar?.done('stopped');
    throw e;
  }
  const r = answer.result;
  bar?.done(r.ok ? `${r.uploaded.toLocaleString('en-US')} taps uploaded` : `stopped after ${r.uploaded.toLocaleString('en-US')} taps`);
  if (options.json) process.stdout.write(JSON.stringify(answer) + '\n');
  else if (r.ok) process.stdout.write(`synced: ${r.uploaded} taps uploaded, journal synced through seq ${r.syncedThrough}\n`);
  else process.stdout.write(`sync failed after ${r.uploaded} taps (synced through seq ${r.syncedThrough}): ${r.problem ?? 'unknown'}\n`);
  return r.ok ? 0 : 1;
}

/** Taps the running daemon has not yet had acknowledged. */
async function backlogOf(socket: string): Promise<number> {
  const report = (await callControl(socket, 'status', {}, { timeoutMs: 2_000 })) as StatusReport;
  return report.backlog?.taps ?? unsyncedTaps(report.journal);
}
