// Contract v1's shared pieces: request signatures, content signatures, raw public keys, the wire record, the chain.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chainProblem } from '../../sync/contract/chain.ts';
import { newKeyPair, publicKeyFromRaw, rawPublicKey, readPrivateKeyFile, writePrivateKeyFile } from '../../sync/contract/keys.ts';
import { bodyDigest, contentSignatureHolds, requestSignatureProblem, signContent, signingString, signRequest } from '../../sync/contract/signing.ts';
import { tapBatchShape } from '../../sync/contract/wire.ts';
import { GENESIS_HASH } from '../../src/journal/canonical.ts';
import type { TapRecord } from '../../src/journal/types.ts';
import { useTempDir } from '../journal/helpers/temp-dir.ts';
import { chainOf } from './helpers/chain.ts';

const NOW = Date.UTC(2026, 10, 22, 18, 0, 0);

describe('request signing', () => {
  const { privateKey, publicKey } = newKeyPair();
  const body = Buffer.from('{"x":1}');
  const signed = signRequest('QV-1', privateKey, { method: 'POST', path: '/v1/devices/QV-1/taps', body, now: NOW });
  const check = (over: Partial<Parameters<typeof requestSignatureProblem>[1]> = {}): string | null =>
    requestSignatureProblem(publicKey, {
      method: 'POST',
      path: '/v1/devices/QV-1/taps',
      body,
      timestamp: signed['x-timestamp'],
      signature: signed['x-signature'],
      now: NOW,
      ...over,
    });

  it('signs METHOD, path, timestamp and the body digest, and the receiver verifies it', () => {
    expect(signingString('post', '/a?b=1', 't', null)).toBe(`POST\n/a?b=1\nt\n${bodyDigest(Buffer.alloc(0))}`);
    expect(bodyDigest(null)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(signed['x-device-id']).toBe('QV-1');
    expect(signed['x-timestamp']).toBe('2026-11-22T18:00:00.000Z');
    expect(check()).toBeNull();
  });

  it('refuses another body, path, method, key, or a clock more than 300 s off', () => {
    expect(check({ body: Buffer.from('{"x":2}') })).toMatch(/does not verify/);
    expect(check({ path: '/v1/devices/QV-2/taps' })).toMatch(/does not verify/);
    expect(check({ method: 'PUT' })).toMatch(/does not verify/);
    expect(check({ now: NOW + 300_001 })).toMatch(/more than 300 s/);
    expect(check({ now: NOW - 299_000 })).toBeNull();
    expect(check({ timestamp: 'yesterday' })).toMatch(/not an RFC 3339/);
    expect(check({ signature: undefined })).toMatch(/required/);
    expect(requestSignatureProblem(newKeyPair().publicKey, { method: 'POST', path: '/v1/devices/QV-1/taps', body, timestamp: signed['x-timestamp'], signature: signed['x-signature'], now: NOW })).toMatch(/does not verify/);
  });

  it('content signatures cover the exact bytes', () => {
    const list = Buffer.from('{"version":"7"}\n');
    const signature = signContent(privateKey, list);
    expect(contentSignatureHolds(publicKey, list, signature)).toBe(true);
    const flipped = Buffer.from(list);
    flipped[3] = (flipped[3] ?? 0) ^ 1;
    expect(contentSignatureHolds(publicKey, flipped, signature)).toBe(false);
    expect(contentSignatureHolds(publicKey, list.subarray(0, 5), signature)).toBe(false);
    expect(contentSignatureHolds(newKeyPair().publicKey, list, signature)).toBe(false);
    expect(contentSignatureHolds(publicKey, list, undefined)).toBe(false);
  });
});

describe('keys', () => {
  const dir = useTempDir();

  it('carries a public key as base64 of its 32 raw bytes', () => {
    const { publicKey } = newKeyPair();
    const raw = rawPublicKey(publicKey);
    expect(Buffer.from(raw, 'base64')).toHaveLength(32);
    expect(rawPublicKey(publicKeyFromRaw(raw))).toBe(raw);
    expect(() => publicKeyFromRaw('AAAA')).toThrow(/32 bytes/);
  });

  it('keeps the private key in a 0600 file and refuses a file others can read', () => {
    const path = join(dir.path, 'device.key');
    const pair = newKeyPair();
    writePrivateKeyFile(path, pair.privateKey);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(rawPublicKey(readPrivateKeyFile(path).publicKey)).toBe(rawPublicKey(pair.publicKey));
  });
});

describe('wire records and the chain', () => {
  it('a journal record is a wire record as it is, and its chain verifies with the journal encoding', () => {
    const records = chainOf(5);
    const batch = tapBatchShape.parse(JSON.parse(JSON.stringify({ batchId: 'b1', taps: records })));
    expect(batch.taps).toEqual(records);
    expect(chainProblem(batch.taps, 1, GENESIS_HASH)).toBeNull();
    expect(chainProblem(records.slice(2), 3, records[1]?.hash ?? '')).toBeNull();
  });

  it('names an altered record, a broken link and a gap', () => {
    const records = chainOf(4);
    const altered = records.map((r) => (r.seq === 3 ? { ...r, fare: r.fare + 1 } : r));
    expect(chainProblem(altered, 1, GENESIS_HASH)).toMatch(/record 3: hash .* altered/);
    expect(chainProblem(records.slice(1), 2, GENESIS_HASH)).toMatch(/record 2: prevHash/);
    expect(chainProblem([records[0] as TapRecord, records[2] as TapRecord], 1, GENESIS_HASH)).toMatch(/seq 3 where seq 2/);
  });
});
