/** Real state directories, real list files, real worker threads: what the deny-list tests share. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { deltaLines, fullListLines, writeLines } from '../../bench/deny-list-fixtures.ts';
import { isDenyListError, type DenyListError, type DenyListProblem } from '../../src/deny-list/deny-list-error.ts';
import { DenyListStore, type DenyListStoreOptions } from '../../src/deny-list/deny-list-store.ts';
import { runTask } from '../../src/deny-list/import-task.ts';
import type { Clock } from '../../src/domain/time.ts';
import { createLogger, type Logger } from '../../src/log/logger.ts';

/** 2026-11-22 12:00 in Tehran. */
export const NOON = Date.UTC(2026, 10, 22, 8, 30, 0);
export const DAY_MS = 86_400_000;

/** A fresh directory per test, removed afterwards; read `.path` inside a test. */
export function useTempDir(): { readonly path: string } {
  const state = { path: '' };
  beforeEach(() => {
    state.path = mkdtempSync(join(tmpdir(), 'qom-deny-'));
  });
  afterEach(() => {
    rmSync(state.path, { recursive: true, force: true });
  });
  return state;
}

export class ManualClock implements Clock {
  constructor(public wall = NOON) {}
  now(): number {
    return this.wall;
  }
  monotonic(): number {
    return performance.now();
  }
}

export function recordingLogger(): { log: Logger; lines: { level: string; msg: string }[] } {
  const lines: { level: string; msg: string }[] = [];
  const log = createLogger({ level: 'debug', format: 'json', write: (line) => lines.push(JSON.parse(line) as { level: string; msg: string }) });
  return { log, lines };
}

/**
 * A store on a state directory. Its imports run on the test's thread (runTask, the code the worker runs),
 * which saves a worker start per import; tests of the worker itself pass `run: runInWorker`.
 */
export function openStore(stateDir: string, options: Partial<DenyListStoreOptions> = {}): DenyListStore {
  return DenyListStore.open({ stateDir, clock: new ManualClock(), log: recordingLogger().log, run: runTask, ...options });
}

/** Writes lines (each without its newline) as a list file; gzip-compressed when the name ends in .gz. */
export async function writeList(dir: string, name: string, lines: readonly string[]): Promise<string> {
  const path = join(dir, name);
  await writeLines(path, lines.map((l) => `${l}\n`));
  return path;
}

/** The generated full list of `count` cards (bench/deny-list-fixtures.ts). */
export async function writeGeneratedFull(dir: string, name: string, version: string, count: number): Promise<string> {
  const path = join(dir, name);
  await writeLines(path, fullListLines(version, count));
  return path;
}

/** The generated delta on top of the generated full list of `baseCount` cards. */
export async function writeGeneratedDelta(dir: string, name: string, version: string, base: string, baseCount: number, adds: number, removes: number): Promise<string> {
  const path = join(dir, name);
  await writeLines(path, deltaLines(version, base, baseCount, adds, removes));
  return path;
}

export const header = (version: string, kind: 'full' | 'delta', baseVersion: string | null, count: number): string =>
  JSON.stringify({ version, kind, baseVersion, count });
export const add = (card: string, reason = 'lost', action: 'reject' | 'block' = 'reject'): string =>
  `{"op":"add","card":"${card}","reason":"${reason}","action":"${action}"}`;
export const remove = (card: string): string => `{"op":"remove","card":"${card}"}`;

/** Awaits a promise that must reject with a DenyListError of `problem`; returns it. */
export async function expectDenyListError(promise: Promise<unknown>, problem: DenyListProblem, message?: RegExp): Promise<DenyListError> {
  let caught: unknown = null;
  try {
    await promise;
  } catch (e) {
    caught = e;
  }
  expect(isDenyListError(caught), `expected a DenyListError, got ${String(caught)}`).toBe(true);
  const error = caught as DenyListError;
  expect(error.problem).toBe(problem);
  if (message) expect(error.message).toMatch(message);
  return error;
}

/** The same for a synchronous call. */
export function expectDenyListErrorSync(f: () => unknown, problem: DenyListProblem, message?: RegExp): DenyListError {
  let caught: unknown = null;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(isDenyListError(caught), `expected a DenyListError, got ${String(caught)}`).toBe(true);
  const error = caught as DenyListError;
  expect(error.problem).toBe(problem);
  if (message) expect(error.message).toMatch(message);
  return error;
}
