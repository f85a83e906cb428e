/** A receiver on loopback, an optional fault proxy in front of it, and an enrolled device with a real journal and sync client. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { syncLists } from '../../../src/app/sync-lists.ts';
import type { DenyListStore } from '../../../src/deny-list/deny-list-store.ts';
import { systemClock } from '../../../src/domain/time.ts';
import { ScheduledFarePolicy } from '../../../src/fares/scheduled-fare-policy.ts';
import { SwappableFarePolicy } from '../../../src/fares/swappable-fare-policy.ts';
import type { SqliteTapJournal } from '../../../src/journal/sqlite-tap-journal.ts';
import { silentLogger, type Logger } from '../../../src/log/logger.ts';
import { deviceKey, enroll } from '../../../sync/client/enrollment.ts';
import { SyncClient, type SyncSettings } from '../../../sync/client/sync-client.ts';
import { SyncTransport } from '../../../sync/client/transport.ts';
import { publicKeyFromRaw } from '../../../sync/contract/keys.ts';
import { openReceiver, type OpenedReceiver } from '../../../sync/receiver/open-receiver.ts';
import { openStore } from '../../deny-list/helpers.ts';
import { sampleTap } from '../../journal/helpers/sample-tap.ts';
import { openTestJournal } from '../../journal/helpers/test-journal.ts';
import { FaultProxy, type Fault } from './fault-proxy.ts';

export const DEVICE = 'QV-0042';

export interface RigOptions {
  readonly plan?: (method: string, url: string, n: number) => Fault;
  /** The device's clock (default: the system's). */
  readonly now?: () => number;
  readonly settings?: Partial<SyncSettings>;
  readonly timeoutMs?: number;
  readonly log?: Logger;
}

export interface Rig {
  receiver: OpenedReceiver;
  readonly proxy: FaultProxy | null;
  readonly journal: SqliteTapJournal;
  readonly denyList: DenyListStore;
  readonly fares: SwappableFarePolicy;
  readonly client: SyncClient;
  readonly backendDir: string;
  /** Appends taps n … n+count-1 to the journal. */
  tap(count: number): void;
  /** Stops the receiver and starts a new one on the same data (the proxy follows it). */
  restartReceiver(): Promise<void>;
  close(): Promise<void>;
}

export async function syncRig(dir: string, options: RigOptions = {}): Promise<Rig> {
  const backendDir = join(dir, 'backend');
  const stateDir = join(dir, 'device');
  mkdirSync(stateDir, { recursive: true });
  let receiver = openReceiver(backendDir, silentLogger);
  const port = await receiver.server.listen(0);
  const direct = `http://127.0.0.1:${port}`;
  const proxy = options.plan ? new FaultProxy(port, options.plan) : null;
  const url = proxy ? `http://127.0.0.1:${await proxy.listen()}` : direct;
  const keyFile = join(stateDir, 'device-key.pem');
  const enrollment = await enroll({
    backendUrl: direct,
    code: receiver.store.issueCode(Date.now()),
    deviceId: DEVICE,
    keyFile,
    enrollmentFile: join(stateDir, 'sync-enrollment.json'),
  });
  const journal = openTestJournal(stateDir);
  const denyList = openStore(stateDir);
  const fares = new SwappableFarePolicy(new ScheduledFarePolicy([], { repeatWindowMs: 10_000, negativeAllowance: 0 }, systemClock));
  const backendKey = publicKeyFromRaw(enrollment.backendPublicKey);
  const now = options.now ?? Date.now;
  const transport = new SyncTransport({
    baseUrl: url,
    deviceId: DEVICE,
    privateKey: deviceKey(keyFile).privateKey,
    now,
    timeoutMs: options.timeoutMs ?? 5_000,
    maxResponseBytes: 64 * 1024 * 1024,
  });
  const client = new SyncClient(
    {
      transport,
      journal,
      lists: syncLists({ stateDir, faresDir: join(stateDir, 'fares'), denyList, fares, backendKey }),
      heartbeat: () => ({
        denyListVersion: denyList.version,
        faresVersion: fares.version,
        readers: 'front ready',
        gps: 'none',
        display: 'in service',
        freeDiskBytes: 1,
        softwareVersion: 'test',
      }),
      backendKey,
      deviceKey: deviceKey(keyFile).privateKey,
      now,
      random: Math.random,
      log: options.log ?? silentLogger,
      settings: { deviceId: DEVICE, batchSize: 500, intervalMs: 60_000, heartbeatMs: 60_000, backoff: { baseMs: 20, maxMs: 200 }, ...options.settings },
    },
    url,
  );
  let next = journal.stats().lastSeq + 1;
  const rig: Rig = {
    receiver,
    proxy,
    journal,
    denyList,
    fares,
    client,
    backendDir,
    tap: (count) => {
      for (let i = 0; i < count; i++) journal.append(sampleTap(next++));
    },
    restartReceiver: async () => {
      await receiver.server.close();
      receiver.store.close();
      receiver = openReceiver(backendDir, silentLogger);
      rig.receiver = receiver;
      const again = await receiver.server.listen(0);
      proxy?.retarget(again);
    },
    close: async () => {
      await client.stop();
      await proxy?.close();
      await receiver.server.close();
      receiver.store.close();
      await denyList.close();
      journal.close();
    },
  };
  return rig;
}
