// The validator's sync client against the reference receiver over loopback HTTP.
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { fareDocumentFromDir } from '../../src/cli/backend-command.ts';
import { newKeyPair } from '../../sync/contract/keys.ts';
import { signContent } from '../../sync/contract/signing.ts';
import { changeDenyList, publishFareBundle } from '../../sync/receiver/publish.ts';
import { useTempDir } from '../journal/helpers/temp-dir.ts';
import type { Fault } from './helpers/fault-proxy.ts';
import { DEVICE, syncRig, type Rig } from './helpers/sync-rig.ts';

const SAMPLE_BUNDLE = fileURLToPath(new URL('../../fares/qom-1404', import.meta.url));

describe('sync client', () => {
  const dir = useTempDir();
  let rig: Rig | null = null;
  afterEach(async () => {
    await rig?.close();
    rig = null;
  });

  it('uploads the backlog in batches, in order, and marks synced exactly what the receiver acked', { timeout: 30_000 }, async () => {
    rig = await syncRig(dir.path, { settings: { batchSize: 100 } });
    rig.tap(1234);
    const result = await rig.client.syncNow();
    expect(result).toMatchObject({ ok: true, uploaded: 1234, syncedThrough: 1234 });
    const held = rig.receiver.store.taps(DEVICE, 1, 10_000);
    expect(held.map((t) => t.hash)).toEqual(rig.journal.list(0, 10_000).map((r) => r.hash));
    rig.tap(5);
    expect(await rig.client.syncNow()).toMatchObject({ ok: true, uploaded: 5, syncedThrough: 1239 });
    expect(await rig.client.syncNow()).toMatchObject({ ok: true, uploaded: 0 });
    expect(rig.client.status()).toMatchObject({ problem: null, failures: 0 });
    expect(JSON.parse(rig.receiver.store.lastStatus(DEVICE)?.status ?? '{}')).toMatchObject({ backlog: 0, softwareVersion: 'test' });
  });

  it('corrects its clock error from the 401 and reports it', async () => {
    rig = await syncRig(dir.path, { now: () => Date.now() - 600_000 });
    rig.tap(3);
    expect(await rig.client.syncNow()).toMatchObject({ ok: true, syncedThrough: 3 });
    expect(Math.abs((rig.client.status().clockErrorMs ?? 0) - 600_000)).toBeLessThan(2_000);
  });

  it('honours Retry-After and resumes by itself', async () => {
    rig = await syncRig(dir.path, { plan: (_m, _u, n): Fault => (n === 0 ? { kind: 'status', status: 429, retryAfter: '1' } : { kind: 'pass' }) });
    rig.tap(10);
    const started = Date.now();
    rig.client.start();
    while (rig.client.status().lastSuccessAt === null) await new Promise((r) => setTimeout(r, 20));
    expect(rig.journal.stats().syncedThrough).toBe(10);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(rig.client.status().problem).toBeNull();
  });

  it('applies signed deny lists and fare bundles; keeps the old on a flipped byte, a wrong key or a delta on the wrong base', async () => {
    let alter: Fault = { kind: 'pass' };
    rig = await syncRig(dir.path, { plan: (_m, url) => (url.includes('/denylist') ? alter : { kind: 'pass' }) });
    const { store, key } = rig.receiver;
    changeDenyList(store, key.privateKey, [{ op: 'add', card: '6037990000000001', reason: 'stolen', action: 'reject' }], Date.now());
    const { version, document } = fareDocumentFromDir(SAMPLE_BUNDLE);
    publishFareBundle(store, key.privateKey, version, document, Date.now());
    expect(await rig.client.syncNow()).toMatchObject({ ok: true });
    expect(rig.denyList.version).toBe('1');
    expect(rig.denyList.lookup('6037990000000001')).toMatchObject({ reason: 'stolen' });
    expect(rig.fares.schedule.bundles.map((b) => b.version)).toEqual(['qom-1404.1']);

    changeDenyList(store, key.privateKey, [{ op: 'add', card: '6037990000000002', reason: 'fraud', action: 'reject' }], Date.now());
    alter = {
      kind: 'alter',
      change: (body) => {
        const copy = Buffer.from(body);
        copy[copy.length - 9] = (copy[copy.length - 9] ?? 0) ^ 0x01;
        return copy;
      },
    };
    await rig.client.syncNow();
    expect(rig.denyList.version).toBe('1');
    expect(rig.client.status().denyListProblem).toMatch(/signature .* not the backend's.*keeping version 1/);

    const stranger = newKeyPair();
    alter = { kind: 'alter', change: (body, headers) => ((headers['x-content-signature'] = signContent(stranger.privateKey, body)), body) };
    await rig.client.syncNow();
    expect(rig.denyList.version).toBe('1');
    expect(rig.client.status().denyListProblem).toMatch(/signature/);

    const wrongBase = gzipSync('{"version":"9","kind":"delta","baseVersion":"7","count":1}\n{"op":"remove","card":"6037990000000001"}\n');
    alter = { kind: 'alter', change: (_body, headers) => ((headers['x-content-signature'] = signContent(key.privateKey, wrongBase)), wrongBase) };
    await rig.client.syncNow();
    expect(rig.denyList.version).toBe('1');
    expect(rig.client.status().denyListProblem).toMatch(/deny list refused: .*7.*keeping version 1/);

    alter = { kind: 'pass' };
    await rig.client.syncNow();
    expect(rig.denyList.version).toBe('2');
    expect(rig.client.status().denyListProblem).toBeNull();
  });
});
