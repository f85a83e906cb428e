import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { resolvePaths } from '../app/paths.ts';
import { callControl } from '../control/control-client.ts';
import { ErrorCode, isValidatorError, ValidatorError } from '../domain/errors.ts';
import { formatOffset } from '../domain/time.ts';
import { rowToRecord, TAP_COLUMNS, type TapRow } from '../journal/rows.ts';
import type { TapRecord } from '../journal/types.ts';

export interface TapsCommandOptions {
  readonly stateDir?: string;
  readonly since: number;
  readonly limit: number;
  readonly json?: boolean;
}

/** `validator taps`: from the running daemon, or straight from the journal file when none runs. */
export async function tapsCommand(options: TapsCommandOptions): Promise<number> {
  const paths = resolvePaths(options);
  let records: TapRecord[];
  try {
    const result = (await callControl(paths.controlSocket, 'taps', { since: options.since, limit: options.limit }, { timeoutMs: 10_000 })) as {
      records: TapRecord[];
    };
    records = result.records;
  } catch (e) {
    if (!isValidatorError(e, ErrorCode.ControlUnavailable)) throw e;
    records = readJournal(paths.journal, options.since, options.limit);
  }
  for (const r of records) process.stdout.write((options.json ? JSON.stringify(r) : formatRecord(r)) + '\n');
  return 0;
}

/** Reads records without a daemon: read-only, so a look never changes the journal. */
function readJournal(path: string, since: number, limit: number): TapRecord[] {
  if (!existsSync(path)) {
    throw new ValidatorError(ErrorCode.NotFound, `no journal at ${path}: no validator has run with this state directory (see --state-dir)`);
  }
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare<[number, number], TapRow>(`SELECT ${TAP_COLUMNS.join(', ')} FROM taps WHERE seq > ? ORDER BY seq LIMIT ?`).all(since, limit);
    return rows.map(rowToRecord);
  } finally {
    db.close();
  }
}

/** One line a record, for people: local time with its offset. */
export function formatRecord(r: TapRecord): string {
  const local = new Date(r.time + r.utcOffsetMinutes * 60_000).toISOString().slice(0, 19).replace('T', ' ');
  return [
    String(r.seq).padStart(6),
    `${local}${formatOffset(r.utcOffsetMinutes)}`,
    r.reader.padEnd(6),
    (r.cardNumber ?? r.cardUid).padEnd(19),
    r.result.padEnd(10),
    r.reason.padEnd(20),
    String(r.fare).padStart(7),
    r.balanceAfter === null ? '      -' : String(r.balanceAfter).padStart(9),
  ].join(' ');
}
