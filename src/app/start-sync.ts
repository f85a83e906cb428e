/** Builds the sync client for the daemon when the device is enrolled (docs/sync-protocol.md). */
import { join } from 'node:path';
import type { Config } from '../config/schema.ts';
import type { DenyListStore } from '../deny-list/deny-list-store.ts';
import type { SwappableFarePolicy } from '../fares/swappable-fare-policy.ts';
import type { SqliteTapJournal } from '../journal/sqlite-tap-journal.ts';
import type { Logger } from '../log/logger.ts';
import { publicKeyFromRaw } from '../../sync/contract/keys.ts';
import { MAX_LIST_RESPONSE_BYTES } from '../../sync/contract/wire.ts';
import { deviceKey, ENROLLMENT_FILE, readEnrollment } from '../../sync/client/enrollment.ts';
import type { HeartbeatSource } from '../../sync/client/ports.ts';
import { SyncClient } from '../../sync/client/sync-client.ts';
import { SyncTransport } from '../../sync/client/transport.ts';
import type { Paths } from './paths.ts';
import { syncLists } from './sync-lists.ts';

export interface StartSyncOptions {
  readonly config: Config;
  readonly paths: Paths;
  readonly journal: SqliteTapJournal;
  readonly denyList: DenyListStore;
  readonly fares: SwappableFarePolicy;
  readonly heartbeat: HeartbeatSource;
  readonly log: Logger;
  /** Overrides the config and the enrollment (npm start's local receiver, whose port changes at each start). */
  readonly backendUrl?: string | null;
}

/** Where the device key lives: sync.keyFile, else device-key.pem in the state directory. */
export function deviceKeyFile(config: Config, paths: Paths): string {
  return config.sync.keyFile ?? join(paths.stateDir, 'device-key.pem');
}

export function enrollmentFile(paths: Paths): string {
  return join(paths.stateDir, ENROLLMENT_FILE);
}

/** The client (not started), or null when the device has not been enrolled yet. */
export function createSyncClient(options: StartSyncOptions): SyncClient | null {
  const { config, paths, log } = options;
  const enrollment = readEnrollment(enrollmentFile(paths));
  if (enrollment === null) {
    log.info('not enrolled with a backend (validator enroll): taps stay in the journal until then');
    return null;
  }
  const key = deviceKey(deviceKeyFile(config, paths));
  const backendKey = publicKeyFromRaw(enrollment.backendPublicKey);
  const backendUrl = options.backendUrl ?? config.sync.backendUrl ?? enrollment.backendUrl;
  if (enrollment.deviceId !== config.device.id) {
    log.warn(`enrolled as ${enrollment.deviceId} but configured as device.id ${config.device.id}: the backend files taps under ${enrollment.deviceId}`);
  }
  const transport = new SyncTransport({
    baseUrl: backendUrl,
    deviceId: enrollment.deviceId,
    privateKey: key.privateKey,
    now: Date.now,
    timeoutMs: config.sync.requestTimeoutSeconds * 1000,
    maxResponseBytes: MAX_LIST_RESPONSE_BYTES,
  });
  return new SyncClient(
    {
      transport,
      journal: options.journal,
      lists: syncLists({ stateDir: paths.stateDir, faresDir: paths.fareBundle, denyList: options.denyList, fares: options.fares, backendKey }),
      heartbeat: options.heartbeat,
      backendKey,
      deviceKey: key.privateKey,
      now: Date.now,
      random: Math.random,
      log: log.child('sync'),
      settings: {
        deviceId: enrollment.deviceId,
        batchSize: config.sync.batchSize,
        intervalMs: config.sync.intervalSeconds * 1000,
        heartbeatMs: config.sync.heartbeatSeconds * 1000,
        backoff: { baseMs: config.sync.backoffBaseSeconds * 1000, maxMs: config.sync.backoffMaxSeconds * 1000 },
      },
    },
    backendUrl,
  );
}
