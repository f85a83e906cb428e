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

/** What differs between the deny list and the fare bundle; everything else about a pull is the same. */
export interface PulledList {
  /** As messages say it. */
  readonly label: 'deny list' | 'fare bundle';
  /** The SyncState field that keeps why its last body was refused. */
  readonly problemKey: 'denyListProblem' | 'faresProblem';
  readonly path: (deviceId: string, since: string) => string;
  /** The version the device holds: what the pull asks since. */
  readonly version: (lists: ListSink) => string;
  /** Takes a body whose signature held; resolves with its version. */
  readonly apply: (lists: ListSink, body: Buffer, signature: string) => Promise<string>;
  /** The log line once a new one is taken. */
  readonly applied: (version: string) => string;
}

/** The deny list: a delta on the version held, or the newest full list. */
export const DENY_LIST: PulledList = {
  label: 'deny list',
  problemKey: 'denyListProblem',
  path: paths.denylist,
  version: (lists) => lists.denyListVersion(),
  apply: (lists, body, signature) => lists.applyDenyList(body, signature),
  applied: (version) => `deny list version ${version} from the backend in force`,
};

/** The newest fare bundle, when it is not the newest the device holds. */
export const FARE_BUNDLE: PulledList = {
  label: 'fare bundle',
  problemKey: 'faresProblem',
  path: paths.fares,
  version: (lists) => lists.faresVersion(),
  apply: (lists, body) => lists.applyFares(body),
  applied: (version) => `fare bundle ${version} from the backend scheduled`,
};

/** Pulls `list` once: asks since the version held, checks the signature, hands the body to the ListSink. */
export async function pullList(list: PulledList, deps: ListPullDeps): Promise<ListPull> {
  const { lists } = deps;
  const version = list.version(lists);
  const reply = await deps.transport.request('GET', list.path(deps.deviceId, version), null, deps.signal, deps.onProgress);
  if (reply.status === 304) return { kind: 'current', version };
  if (reply.status !== 200) return { kind: 'failed', reply };
  const signature = reply.header(HEADER_CONTENT_SIGNATURE);
  if (!(await signatureHolds(reply.body, signature, deps.backendKey))) {
    return { kind: 'refused', problem: `${list.label} refused (signature missing or not the backend's, ${reply.body.length} bytes); keeping version ${version}` };
  }
  try {
    return { kind: 'applied', version: await list.apply(lists, reply.body, signature ?? ''), previous: version };
  } catch (e) {
    return { kind: 'refused', problem: `${list.label} refused: ${describeFailure(e)}; keeping version ${version}` };
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

/** Ed25519 over the whole body, on libuv's thread pool: a 150 MB list must not block the event loop. */
function signatureHolds(body: Buffer, signature: string | undefined, key: KeyObject): Promise<boolean> {
  if (signature === undefined) return Promise.resolve(false);
  const bytes = Buffer.from(signature, 'base64');
  if (bytes.length !== 64) return Promise.resolve(false);
  return new Promise((resolve) => verify(null, body, key, bytes, (err, ok) => resolve(err === null && ok)));
}
