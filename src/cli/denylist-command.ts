import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { resolvePaths } from '../app/paths.ts';
import { callControl } from '../control/control-client.ts';
import { IMPORT_METHOD, PROGRESS_METHOD } from '../deny-list/control-handlers.ts';
import type { ImportProgress } from '../deny-list/import-progress.ts';
import { denyListPaths } from '../deny-list/deny-list-paths.ts';
import { DenyListStore } from '../deny-list/deny-list-store.ts';
import type { ImportSummary } from '../deny-list/import-task.ts';
import { loadDenyList } from '../deny-list/load-deny-list.ts';
import { depotListFile } from '../deny-list/verified-list.ts';
import { ErrorCode, isValidatorError, ValidatorError } from '../domain/errors.ts';
import { systemClock } from '../domain/time.ts';
import { createLogger, silentLogger } from '../log/logger.ts';
import { pollWhile } from './poll-while.ts';
import { progress, type Progress } from './progress.ts';

/** A 10-million-card full list takes tens of seconds on the board; the daemon answers when it is in force. */
const IMPORT_TIMEOUT_MS = 10 * 60_000;
/** How often the running daemon is asked how far its import has got. */
const PROGRESS_POLL_MS = 250;

interface CommonOptions {
  readonly stateDir?: string;
  readonly json?: boolean;
}

/** Adds `validator denylist import FILE` and `validator denylist check CARD`. */
export function registerDenylistCommands(program: Command): void {
  const denylist = program.command('denylist').description('the deny list: import a list file, check a card');
  const common = (): { stateDir?: string } => program.opts<{ stateDir?: string }>();

  denylist
    .command('import')
    .description('apply a full list or a delta (gzip or plain NDJSON): through the running validator, else to the state directory')
    .argument('<file>', 'the list file')
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      process.exitCode = await denylistImport({ ...common(), ...options, file });
    });

  denylist
    .command('check')
    .description('say whether a card is on the state directory\'s deny list, and why')
    .argument('<card>', 'the printed card number, 1 to 19 digits (leading zeros count)')
    .option('--json', 'print the answer as JSON')
    .action((card: string, options: { json?: boolean }) => {
      process.exitCode = denylistCheck({ ...common(), ...options, card });
    });
}

/** `validator denylist import FILE`: exit 0 once the list is in force; an error leaves the list in force as it was. */
export async function denylistImport(options: CommonOptions & { readonly file: string }): Promise<number> {
  const paths = resolvePaths(options);
  const file = resolve(options.file);
  const shown = importProgress();
  let summary: ImportSummary;
  try {
    const importing = callControl(paths.controlSocket, IMPORT_METHOD, { file }, { timeoutMs: IMPORT_TIMEOUT_MS }) as Promise<ImportSummary>;
    summary = await pollWhile(importing, PROGRESS_POLL_MS, async () => {
      const now = (await callControl(paths.controlSocket, PROGRESS_METHOD, {}, { timeoutMs: PROGRESS_POLL_MS * 4 })) as ImportProgress | null;
      if (now !== null) shown.update(now);
    });
  } catch (e) {
    if (isValidatorError(e, ErrorCode.NotFound)) {
      throw new ValidatorError(
        ErrorCode.InvalidState,
        `the validator running on ${paths.stateDir} does not take deny-list imports over its control socket: stop it, import, then start it`,
        { cause: e },
      );
    }
    if (!isValidatorError(e, ErrorCode.ControlUnavailable)) throw e;
    // No daemon: apply to the state directory's files, as the daemon would. Errors only: "no deny list
    // yet" is what an import into a new state directory expects.
    mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
    const log = createLogger({ level: 'error', format: 'json', write: (line) => process.stderr.write(line + '\n') });
    const store = DenyListStore.open({ stateDir: paths.stateDir, clock: systemClock, log });
    summary = await store.apply(depotListFile(file), (p) => shown.update(p));
  }
  shown.done();
  process.stdout.write((options.json ? JSON.stringify(summary) : describeImport(summary)) + '\n');
  return 0;
}

/** `validator denylist check CARD`: prints whether the card is listed; exit 0 either way (errors: 1). */
export function denylistCheck(options: CommonOptions & { readonly card: string }): number {
  const card = options.card;
  if (!/^\d{1,19}$/.test(card)) {
    throw new ValidatorError(ErrorCode.BadRequest, `"${card}" is not a card number: it must be 1 to 19 decimal digits, leading zeros included`);
  }
  const paths = resolvePaths(options);
  const { list } = loadDenyList(denyListPaths(paths.stateDir), systemClock.now(), silentLogger);
  const entry = list.lookup(card);
  const added = entry?.added === undefined ? null : new Date(entry.added).toISOString().slice(0, 10);
  if (options.json) {
    const answer = entry ? { card, listed: true, reason: entry.reason, action: entry.action ?? 'reject', added } : { card, listed: false };
    process.stdout.write(JSON.stringify({ ...answer, version: list.version, entries: list.size }) + '\n');
  } else if (entry) {
    process.stdout.write(`card ${card}: LISTED, ${entry.reason}, action ${entry.action ?? 'reject'}, added ${added ?? 'unknown'} (deny list version ${list.version})\n`);
  } else {
    process.stdout.write(`card ${card}: not listed (deny list version ${list.version}, ${list.size} cards)\n`);
  }
  return 0;
}

/** One bar while the entries are read, then a line while the new list is built and written. */
function importProgress(): { update(p: ImportProgress): void; done(): void } {
  let reading: Progress | null = null;
  let building = false;
  return {
    update(p) {
      if (p.phase === 'reading') {
        reading ??= progress('deny list import');
        reading.update(p.done, p.total);
        return;
      }
      if (building) return;
      building = true;
      (reading ?? progress('deny list import')).done(`${p.total.toLocaleString('en-US')} entries read; building and writing the new list`);
    },
    done() {
      reading?.done();
    },
  };
}

function describeImport(s: ImportSummary): string {
  if (!s.applied) return `deny list already at version ${s.version}: nothing to apply`;
  const from = s.kind === 'delta' ? `delta from ${s.previousVersion}` : `full list, was ${s.previousVersion}`;
  return `deny list version ${s.version} in force (${from}): ${s.entries} cards, ${s.added} added, ${s.removed} removed`;
}
