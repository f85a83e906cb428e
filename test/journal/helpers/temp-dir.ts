/** A fresh directory per test, removed afterwards: every test gets its own real database file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';

/** Registers hooks; read `.path` inside a test. */
export function useTempDir(): { readonly path: string } {
  const state = { path: '' };
  beforeEach(() => {
    state.path = mkdtempSync(join(tmpdir(), 'qom-journal-'));
  });
  afterEach(() => {
    rmSync(state.path, { recursive: true, force: true });
  });
  return state;
}
