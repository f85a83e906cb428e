/**
 * One pull of the signed deny list or fare bundle: ask with the version held, check the backend's
 * signature over the exact body before anything parses it, hand it to the ListSink. The daemon's sync
 * rounds and provisioning pull through here, so a list reaches the device one way only.
 */
import { verify, type KeyObject } from 'node:crypto';
import { HEADER_CONTENT_SIGNATURE } from '../contract/signing.ts';
import { paths } from '../contract/wire.ts';
import type { ListSink } from './ports.ts';
import type { DownloadProgress, SyncTransport, TransportReply } from './transport.ts';

export interface ListPullDeps {
  readonly transport: SyncTransport;
  readonly lists: ListSink;
  readonly backendKey: KeyObject;
  readonly deviceId: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: DownloadProgress;
}

/** How a pull ended. Only `failed` (an HTTP answer other than 200 and 304) leaves the round to decide. */
export type ListPull =
  | { readonly kind: 'current'; readonly version: string }
  | { readonly kind: 'applied'; readonly version: string; readonly previous: string }
  /** The body came but was not taken (bad signature, a delta on another base, a bundle failing its checks); the old one stays. */
  | { readonly kind: 'refused'; readonly problem: string }
  | { readonly kind: 'failed'; readonly reply: TransportReply };

/** Pulls the deny list once: a delta on the version held, or the newest full list. */
export async function pullDenyList(deps: ListPullDeps): Promise<ListPull> {
  const { lists } = deps;
  const version = lists.denyListVersion();
  const reply = await get(deps, paths.denylist(deps.deviceId, version));
  if (reply.status === 304) return { kind: 'current', version };
  if (reply.status !== 200) return { kind: 'failed', reply };
  const signature = reply.header(HEADER_CONTENT_SIGNATURE);
  if (!(await signatureHolds(reply.body, signature, deps.backendKey))) {
    return { kind: 'refused', problem: `deny list refused (signature missing or not the backend's, ${reply.body.length} bytes); keeping version ${version}` };
  }
  try {
    return { kind: 'applied', version: await lists.applyDenyList(reply.body, signature ?? ''), previous: version };
  } catch (e) {
    return { kind: 'refused', problem: `deny list refused: ${describeFailure(e)}; keeping version ${version}` };
  }
}

/** Pulls the newest fare bundle once, when it is not the newest the device holds. */
export async function pullFares(deps: ListPullDeps): Promise<ListPull> {
  const { lists } = deps;
  const version = lists.faresVersion();
  const reply = await get(deps, paths.fares(deps.deviceId, version));
  if (reply.status === 304) return { kind: 'current', version };
  if (reply.status !== 200) return { kind: 'failed', reply };
  if (!(await signatureHolds(reply.body, reply.header(HEADER_CONTENT_SIGNATURE), deps.backendKey))) {
    return { kind: 'refused', problem: `fare bundle refused (signature missing or not the backend's, ${reply.body.length} bytes); keeping ${version}` };
  }
  try {
    return { kind: 'applied', version: await lists.applyFares(reply.body), previous: version };
  } catch (e) {
    return { kind: 'refused', problem: `fare bundle refused: ${describeFailure(e)}; keeping ${version}` };
  }
}

/** An error's message, with its code when the message does not already say it. */
export function describeFailure(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'string' && !e.message.includes(code) ? `${e.message} (${code})` : e.message;
  }
  return String(e);
}

function get(deps: ListPullDeps, path: string): Promise<TransportReply> {
  return deps.transport.request('GET', path, null, deps.signal, deps.onProgress);
}

/** Ed25519 over the whole body, on libuv's thread pool: a 150 MB list must not block the event loop. */
function signatureHolds(body: Buffer, signature: string | undefined, key: KeyObject): Promise<boolean> {
  if (signature === undefined) return Promise.resolve(false);
  const bytes = Buffer.from(signature, 'base64');
  if (bytes.length !== 64) return Promise.resolve(false);
  return new Promise((resolve) => verify(null, body, key, bytes, (err, ok) => resolve(err === null && ok)));
}
