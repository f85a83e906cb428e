/** The backend's signing key: made once in the data directory (backend-key.pem, mode 0600). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { newKeyPair, readPrivateKeyFile, writePrivateKeyFile, type KeyPair } from '../contract/keys.ts';

export const BACKEND_KEY_FILE = 'backend-key.pem';

/** Reads the data directory's key, or makes one on first use. */
export function loadOrCreateBackendKey(dataDir: string): KeyPair {
  const path = join(dataDir, BACKEND_KEY_FILE);
  if (existsSync(path)) return readPrivateKeyFile(path);
  const pair = newKeyPair();
  writePrivateKeyFile(path, pair.privateKey);
  return pair;
}
