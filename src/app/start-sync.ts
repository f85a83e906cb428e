/** Builds the sync client for the daemon when the device is enrolled (docs/sync-protocol.md). */
import type { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import type { Config } from '../config/schema.ts';
import type { DenyListStore } from '../deny-list/deny-list-store.ts';
import type { SwappableFarePolicy } from '../fares/swappable-fare-policy.ts';
import type { SqliteTapJournal } from '../journal/sqlite-tap-journal.ts';
import type { Logger } from '../log/logger.ts';
import { publicKeyFromRaw } from '../../sync/contract/keys.ts';
import { MAX_LIST_RESPONSE_BYTES } from '../../sync/contract/wire.ts';
import { deviceKey, ENROLLMENT_FILE, readEnrollment, type Enrollment } from '../../sync/client/enrollment.ts';
import type { HeartbeatSource, ListSink } from '../../sync/client/ports.ts';
import { SyncClient } from '../../sync/client/sync-client.ts';
import { SyncTransport } from '../../sync/client/transport.ts';
import type { RequestTimeout } from '../../sync/client/unreachable.ts';
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

/** The signed transport to the backend, the key its lists must carry, and where verified lists go. */
export interface SyncWiring {
  readonly transport: SyncTransport;
  readonly backendUrl: string;
  readonly backendKey: KeyObject;
  readonly timeout: RequestTimeout;
  /** The ListSink over these stores: lists verified with backendKey, bundles kept in the state directory. */
  readonly lists: (denyList: DenyListStore, fares: SwappableFarePolicy) => ListSink;
}

export interface SyncWiringOptions {
  /** Wins over the config's sync.backendUrl and the enrollment's (npm start's receiver; a running daemon's URL). */
  readonly url?: string | null;
  /** Instead of the config's sync.requestTimeoutSeconds (selftest's shorter --timeout). */
  readonly timeout?: RequestTimeout;
}

/** The config's sync.requestTimeoutSeconds, named as a timeout's message names it. */
export function configTimeout(config: Config, paths: Paths): RequestTimeout {
  return { ms: config.sync.requestTimeoutSeconds * 1000, setting: `sync.requestTimeoutSeconds in ${paths.configFile ?? 'the config'}` };
}

/**
 * The daemon's rounds, provisioning's first lists and selftest talk to the backend wired the same way: the
 * URL is the override, else the config's sync.backendUrl, else the enrollment's; requests signed as the
 * enrolled device id with `key`.
 */
export function syncTransport(config: Config, paths: Paths, enrollment: Enrollment, key: KeyObject, options: SyncWiringOptions = {}): SyncWiring {
  const backendUrl = options.url ?? config.sync.backendUrl ?? enrollment.backendUrl;
  const backendKey = publicKeyFromRaw(enrollment.backendPublicKey);
  const timeout = options.timeout ?? configTimeout(config, paths);
  const transport = new SyncTransport({
    baseUrl: backendUrl,
    deviceId: enrollment.deviceId,
    privateKey: key,
    now: Date.now,
    timeoutMs: timeout.ms,
    maxResponseBytes: MAX_LIST_RESPONSE_BYTES,
  });
  return {
    transport,
    backendUrl,
    backendKey,
    timeout,
    lists: (denyList, fares) => syncLists({ stateDir: paths.stateDir, faresDir: paths.fareBundle, denyList, fares, backendKey }),
  };
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
  const { transport, backendUrl, backendKey, lists } = syncTransport(config, paths, enrollment, key.privateKey, { url: options.backendUrl ?? null });
  if (enrollment.deviceId !== config.device.id) {
    log.warn(`enrolled as ${enrollment.deviceId} but configured as device.id ${config.device.id}: the backend files taps under ${enrollment.deviceId}`);
  }
  return new SyncClient(
    {
      transport,
      journal: options.journal,
      lists: lists(options.denyList, options.fares),
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
