import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from '../../src/log/logger.ts';
import { AES128_KEY_LENGTH } from '../crypto/aes-cmac.ts';
import { FileKeyStore } from '../crypto/key-file.ts';
import { keyFileText } from '../crypto/key-file-format.ts';

/** The simulation's key file, in the state directory. */
export const SIMULATION_KEY_FILE = 'simulation-keys.json';
/** Its AN10922 system identifier: simulated cards never open with a real key file's keys, nor real cards with these. */
export const SIMULATION_SYSTEM_IDENTIFIER = 'Qom Card sim';

/**
 * The master keys simulated cards are issued and read with: a development key file (key file version 1,
 * mode 0600) in the state directory, made with random keys on first start and reused afterwards. The
 * repository holds no simulation keys; each checkout and state directory makes its own.
 */
export function loadOrCreateSimulationKeys(
  stateDir: string,
  log: Logger,
  randomBytes: (size: number) => Buffer = cryptoRandomBytes,
): FileKeyStore {
  const path = join(stateDir, SIMULATION_KEY_FILE);
  if (!existsSync(path)) {
    const sectorMaster = randomBytes(AES128_KEY_LENGTH);
    const macMaster = randomBytes(AES128_KEY_LENGTH);
    const text = keyFileText({ systemIdentifier: SIMULATION_SYSTEM_IDENTIFIER, sectorMaster, macMaster });
    sectorMaster.fill(0);
    macMaster.fill(0);
    if (createOnce(path, text)) log.info('made a development key file for the simulated cards (simulation only)', { path });
  }
  return FileKeyStore.load(path);
}

/**
 * Writes a new file only if there is none: a temp file (0600, fsynced) hard-linked into place, so that
 * a crash leaves no half-written key file and two starts cannot make two. False when one was there.
 */
function createOnce(path: string, text: string): boolean {
  const temp = `${path}.tmp-${process.pid}`;
  // A temp file a crash left behind may have another mode: 'wx' below makes a new one, never reuses it.
  rmSync(temp, { force: true });
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    unlinkSync(temp);
  }
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
  return true;
}
