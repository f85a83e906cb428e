import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/domain/errors.ts';
import { createLogger } from '../../../src/log/logger.ts';
import { parseKeyFile } from '../../../device/crypto/key-file-format.ts';
import { loadOrCreateSimulationKeys, SIMULATION_KEY_FILE } from '../../../device/sim/simulation-keys.ts';
import { UID } from '../helpers.ts';

describe('loadOrCreateSimulationKeys', () => {
  let dir: string;
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', format: 'json', write: (line) => lines.push(line) });
  let drawn = 0;
  /** Random bytes the test can tell apart: 16 of 0x11, then 16 of 0x22, ... */
  const randomBytes = (size: number): Buffer => Buffer.alloc(size, ++drawn * 0x11);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'qom-sim-keys-'));
    lines.length = 0;
    drawn = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes a version 1 key file with fresh random master keys, mode 0600, on first start', () => {
    const store = loadOrCreateSimulationKeys(dir, log, randomBytes);
    const path = join(dir, SIMULATION_KEY_FILE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(parseKeyFile(readFileSync(path, 'utf8'), path)).toEqual({
      systemIdentifier: 'Qom Card sim',
      sectorMaster: Buffer.alloc(16, 0x11),
      macMaster: Buffer.alloc(16, 0x22),
    });
    expect(readdirSync(dir)).toEqual([SIMULATION_KEY_FILE]);
    expect(store.path).toBe(path);
    expect(store.cardKey(UID, 'B')).toHaveLength(6);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', path });
    expect(lines[0]).not.toMatch(/1111|2222/);
  });

  it('reuses the file afterwards: the same keys, nothing drawn, nothing logged', () => {
    const first = loadOrCreateSimulationKeys(dir, log, randomBytes);
    lines.length = 0;
    const again = loadOrCreateSimulationKeys(dir, log, () => {
      throw new Error('no new keys wanted');
    });
    expect(again.cardKey(UID, 'B')).toEqual(first.cardKey(UID, 'B'));
    expect(again.macKey(UID)).toEqual(first.macKey(UID));
    expect(lines).toEqual([]);
  });

  it('makes different keys in each state directory by default', () => {
    const other = mkdtempSync(join(tmpdir(), 'qom-sim-keys-'));
    try {
      expect(loadOrCreateSimulationKeys(dir, log).cardKey(UID, 'B')).not.toEqual(loadOrCreateSimulationKeys(other, log).cardKey(UID, 'B'));
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('refuses a key file others may read, as any key file, saying how to fix it', () => {
    loadOrCreateSimulationKeys(dir, log, randomBytes);
    chmodSync(join(dir, SIMULATION_KEY_FILE), 0o644);
    expect(() => loadOrCreateSimulationKeys(dir, log, randomBytes)).toThrow(
      expect.objectContaining({ code: ErrorCode.ConfigInvalid, message: expect.stringContaining('chmod 600') as unknown }),
    );
  });
});
