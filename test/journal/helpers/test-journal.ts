/** Opens a journal in a test directory with test-friendly settings and a recording logger. */
import { join } from 'node:path';
import type { Clock } from '../../../src/domain/time.ts';
import { createLogger, type Logger } from '../../../src/log/logger.ts';
import { openJournal, type JournalOptions } from '../../../src/journal/open-journal.ts';
import type { SqliteTapJournal } from '../../../src/journal/sqlite-tap-journal.ts';

export const DAY_MS = 24 * 60 * 60 * 1000;

/** A clock that only moves when told. */
export class ManualClock implements Clock {
  constructor(public wall = Date.UTC(2025, 2, 21, 8, 15, 30)) {}
  now(): number {
    return this.wall;
  }
  monotonic(): number {
    return this.wall;
  }
}

/** A logger that keeps its lines, parsed. */
export function recordingLogger(): { log: Logger; lines: { level: string; msg: string; [k: string]: unknown }[] } {
  const lines: { level: string; msg: string }[] = [];
  const log = createLogger({ level: 'debug', format: 'json', write: (line) => lines.push(JSON.parse(line) as { level: string; msg: string }) });
  return { log, lines };
}

/** Free space as the test sets it. */
export class FakeDisk {
  constructor(public freeBytes = 10 * 1024 ** 3) {}
  readonly statfs = (): { freeBytes: number } => ({ freeBytes: this.freeBytes });
}

/** The default options for a journal at `<dir>/journal.db`, with overrides. */
export function journalOptions(dir: string, overrides: Partial<JournalOptions> = {}): JournalOptions {
  return {
    path: join(dir, 'journal.db'),
    clock: new ManualClock(),
    log: recordingLogger().log,
    minFreeBytes: 50 * 1024 * 1024,
    retentionMs: 30 * DAY_MS,
    pruneWhenFreeBelowBytes: 200 * 1024 * 1024,
    statfs: new FakeDisk().statfs,
    ...overrides,
  };
}

export function openTestJournal(dir: string, overrides: Partial<JournalOptions> = {}): SqliteTapJournal {
  return openJournal(journalOptions(dir, overrides));
}
