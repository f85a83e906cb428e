// The reference receiver over real HTTP on loopback: enrollment, exactly-once tap storage, signed lists, heartbeat.
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newKeyPair, publicKeyFromRaw, rawPublicKey, type KeyPair } from '../../sync/contract/keys.ts';
import { contentSignatureHolds } from '../../sync/contract/signing.ts';
import { paths } from '../../sync/contract/wire.ts';
import { openReceiver, type OpenedReceiver } from '../../sync/receiver/open-receiver.ts';
import { changeDenyList, publishFareBundle } from '../../sync/receiver/publish.ts';
import { tapHash } from '../../src/journal/canonical.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { useTempDir } from '../journal/helpers/temp-dir.ts';
import { chainOf } from './helpers/chain.ts';
import { signedFetch } from './helpers/signed-fetch.ts';

const DEVICE = 'QV-0042';

describe('reference receiver', () => {
  const dir = useTempDir();
  let receiver: OpenedReceiver;
  let base: string;
  let device: KeyPair;

  beforeEach(async () => {
    receiver = openReceiver(dir.path, silentLogger);
    base = `http://127.0.0.1:${await receiver.server.listen(0)}`;
    device = newKeyPair();
  });
  afterEach(async () => {
    await receiver.server.close();
    receiver.store.close();
  });

  const enroll = (code: string, key = device, id = DEVICE) =>
    signedFetch(base, id, key.privateKey, 'POST', paths.enroll, { deviceId: id, enrollmentCode: code, publicKey: rawPublicKey(key.publicKey) });
  const upload = (taps: unknown[], batchId = 'b') => signedFetch(base, DEVICE, device.privateKey, 'POST', paths.taps(DEVICE), { batchId, taps });

  it('enrolls with a code once, 403 after; answers the backend key', async () => {
    const code = receiver.store.issueCode(Date.now());
    const first = await enroll(code);
    expect(first.status).toBe(201);
    expect(first.json()).toMatchObject({ deviceId: DEVICE, backendPublicKey: rawPublicKey(receiver.key.publicKey) });
    expect((await enroll(code)).status).toBe(403);
    expect((await enroll('NOPE')).status).toBe(403);
  });

  it('refuses unknown devices, bad signatures and skewed clocks with 401 and serverTime', async () => {
    const stranger = await signedFetch(base, 'QV-9', device.privateKey, 'POST', paths.heartbeat('QV-9'), { status: {} });
    expect(stranger.status).toBe(401);
    expect(stranger.json()).toHaveProperty('serverTime');
    expect((await enroll(receiver.store.issueCode(Date.now()))).status).toBe(201);
    const wrongKey = await signedFetch(base, DEVICE, newKeyPair().privateKey, 'GET', paths.fares(DEVICE, 'x'));
    expect(wrongKey.status).toBe(401);
    const skewed = await signedFetch(base, DEVICE, device.privateKey, 'GET', paths.fares(DEVICE, 'x'), null, Date.now() - 400_000);
    expect(skewed.status).toBe(401);
    expect(String((skewed.json() as { error: string }).error)).toMatch(/300 s/);
    const other = await signedFetch(base, DEVICE, device.privateKey, 'GET', paths.fares('QV-7', 'x'));
    expect(other.status).toBe(403);
  });

  it('stores taps exactly once: idempotent resend, gap, conflict, broken chain', async () => {
    expect((await enroll(receiver.store.issueCode(Date.now()))).status).toBe(201);
    const chain = chainOf(10);
    const a = await upload(chain.slice(0, 4));
    expect([a.status, a.json()]).toEqual([200, { ackedThrough: 4 }]);
    const again = await upload(chain.slice(2, 7));
    expect([again.status, again.json()]).toEqual([200, { ackedThrough: 7 }]);
    const gap = await upload(chain.slice(8));
    expect(gap.status).toBe(409);
    expect(gap.json()).toMatchObject({ ackedThrough: 7 });
    const forged = chainOf(2, 6, chain[4]?.hash).map((r) => ({ ...r, fare: 1 }));
    expect((await upload(forged)).status).toBe(422);
    const altered = { ...(chain[7] as object), reason: 'X' };
    expect((await upload([altered])).status).toBe(422);
    expect((await upload(chain.slice(0, 1))).status).toBe(200);
    const rest = await upload(chain.slice(7));
    expect([rest.status, rest.json()]).toEqual([200, { ackedThrough: 10 }]);
    expect(receiver.store.taps(DEVICE, 1, 100).map((t) => t.hash)).toEqual(chain.map((r) => r.hash));
  });

  it('answers 409 conflict when a held seq comes with another valid hash', async () => {
    expect((await enroll(receiver.store.issueCode(Date.now()))).status).toBe(201);
    const chain = chainOf(3);
    expect((await upload(chain)).status).toBe(200);
    const genesis = chain[0] as (typeof chain)[number];
    const changed = { ...genesis, fare: genesis.fare + 5 };
    const forged = { ...changed, hash: tapHash(1, changed.prevHash, changed) };
    const reply = await upload([forged]);
    expect(reply.status).toBe(409);
    expect(reply.json()).toMatchObject({ conflict: 1 });
  });

  it('serves signed deny lists (delta on the device version, else full) and fare bundles, 304 when current', async () => {
    expect((await enroll(receiver.store.issueCode(Date.now()))).status).toBe(201);
    const get = (p: string) => signedFetch(base, DEVICE, device.privateKey, 'GET', p);
    expect((await get(paths.denylist(DEVICE, 'none'))).status).toBe(304);
    const v1 = changeDenyList(receiver.store, receiver.key.privateKey, [{ op: 'add', card: '6037990000000001', reason: 'stolen', action: 'reject' }], Date.now());
    const v2 = changeDenyList(receiver.store, receiver.key.privateKey, [{ op: 'add', card: '6037990000000002', reason: 'fraud', action: 'block' }], Date.now());
    const full = await get(paths.denylist(DEVICE, 'none'));
    expect(full.status).toBe(200);
    const backendKey = publicKeyFromRaw(rawPublicKey(receiver.key.publicKey));
    expect(contentSignatureHolds(backendKey, full.body, full.headers.get('x-content-signature') ?? undefined)).toBe(true);
    expect(gunzipSync(full.body).toString().split('\n')[0]).toBe(`{"version":"${v2}","kind":"full","baseVersion":null,"count":2}`);
    const delta = await get(paths.denylist(DEVICE, v1));
    expect(gunzipSync(delta.body).toString().split('\n')[0]).toBe(`{"version":"${v2}","kind":"delta","baseVersion":"${v1}","count":1}`);
    expect((await get(paths.denylist(DEVICE, v2))).status).toBe(304);

    expect((await get(paths.fares(DEVICE, 'none'))).status).toBe(304);
    const doc = Buffer.from(JSON.stringify({ version: 'f1', files: {} }));
    publishFareBundle(receiver.store, receiver.key.privateKey, 'f1', doc, Date.now());
    const fares = await get(paths.fares(DEVICE, 'none'));
    expect(fares.body.equals(doc)).toBe(true);
    expect(contentSignatureHolds(backendKey, fares.body, fares.headers.get('x-content-signature') ?? undefined)).toBe(true);
    expect((await get(paths.fares(DEVICE, 'f1'))).status).toBe(304);
  });

  it('keeps the last heartbeat and answers serverTime', async () => {
    expect((await enroll(receiver.store.issueCode(Date.now()))).status).toBe(201);
    const status = {
      backlog: 3, oldestUnsyncedAgeSeconds: 60, denyListVersion: '1', faresVersion: 'f', readers: 'ok', gps: 'none',
      display: 'ok', clockErrorMs: 12, freeDiskBytes: 1000, softwareVersion: '0.1.0',
    };
    const reply = await signedFetch(base, DEVICE, device.privateKey, 'POST', paths.heartbeat(DEVICE), { status });
    expect(reply.status).toBe(200);
    expect(reply.json()).toHaveProperty('serverTime');
    expect(JSON.parse(receiver.store.lastStatus(DEVICE)?.status ?? '{}')).toEqual(status);
  });
});
