import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';

/** Hex with spaces and newlines allowed, as the RFCs and application notes print it. */
export function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

/** Test master keys: any 16 bytes will do, these are easy to spot if one ever leaks into output. */
export const SECTOR_MASTER = '000102030405060708090A0B0C0D0E0F';
export const MAC_MASTER = '0F0E0D0C0B0A09080706050403020100';

/** A version 1 key file document with the test keys; `overrides` replace top-level fields. */
export function keyDocument(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { version: 1, systemIdentifier: 'Qom Card', masterKeys: { sector: SECTOR_MASTER, mac: MAC_MASTER }, ...overrides };
}

/** A fresh directory per test, removed afterwards, with a writer of real key files in it. */
export function useKeyDir(): { writeKeyFile(content: unknown, mode?: number): string } {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'qom-keys-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    writeKeyFile(content, mode = 0o600) {
      const path = join(dir, 'keys.json');
      writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content), { mode });
      // chmod as well: writeFileSync's mode goes through the umask.
      chmodSync(path, mode);
      return path;
    },
  };
}
