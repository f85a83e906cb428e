/** A bare signed request with fetch: the receiver tested on its own, without the validator's client. */
import type { KeyObject } from 'node:crypto';
import { signRequest } from '../../../sync/contract/signing.ts';

export interface RawReply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
  json(): unknown;
}

export async function signedFetch(
  base: string,
  device: string,
  key: KeyObject,
  method: string,
  path: string,
  body: unknown = null,
  now = Date.now(),
): Promise<RawReply> {
  const bytes = body === null ? null : Buffer.from(JSON.stringify(body));
  const headers = { ...signRequest(device, key, { method, path, body: bytes, now }), 'content-type': 'application/json' };
  const res = await fetch(base + path, { method, headers, ...(bytes ? { body: bytes } : {}) });
  const buf = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body: buf, json: () => JSON.parse(buf.toString('utf8')) as unknown };
}
