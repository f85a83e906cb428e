/** Opens a receiver's data directory: receiver.db and backend-key.pem, both made on first use. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../src/log/logger.ts';
import type { KeyPair } from '../contract/keys.ts';
import { loadOrCreateBackendKey } from './backend-key.ts';
import { ReceiverServer } from './receiver-server.ts';
import { ReceiverStore } from './receiver-store.ts';

export const RECEIVER_DB = 'receiver.db';

export interface OpenedReceiver {
  readonly store: ReceiverStore;
  readonly key: KeyPair;
  readonly server: ReceiverServer;
}

/** The store, the key and a server on them (not yet listening). */
export function openReceiver(dataDir: string, log: Logger, now: () => number = Date.now): OpenedReceiver {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const store = new ReceiverStore(join(dataDir, RECEIVER_DB));
  const key = loadOrCreateBackendKey(dataDir);
  return { store, key, server: new ReceiverServer({ store, key, now, log }) };
}
