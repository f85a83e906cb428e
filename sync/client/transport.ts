/**
 * Signed HTTP to the backend, through axios. Bodies go out as prepared Buffers (the signature covers their
 * exact bytes) and come back as Buffers (a list's signature covers its exact bytes). A 401 carrying
 * serverTime corrects the device's clock error and the request is signed again once with the corrected
 * time. The device's own clock is never set.
 */
import axios, { type AxiosInstance, type AxiosProgressEvent } from 'axios';
import type { KeyObject } from 'node:crypto';
import { signRequest } from '../contract/signing.ts';
import { serverTimeShape } from '../contract/wire.ts';

export interface TransportReply {
  readonly status: number;
  readonly body: Buffer;
  /** Lower-case header names. */
  header(name: string): string | undefined;
  json(): unknown;
}

/** Bytes of a response body received so far, and its length when the backend said it. */
export type DownloadProgress = (received: number, total: number | null) => void;

export interface TransportOptions {
  readonly baseUrl: string;
  readonly deviceId: string;
  readonly privateKey: KeyObject;
  readonly now: () => number;
  readonly timeoutMs: number;
  /** Largest response accepted (a full deny list of 10 million cards is about 150 MB gzip). */
  readonly maxResponseBytes: number;
}

/** Plain HTTP only to loopback: the contract's rule, enforced before any request is made. */
export function checkBackendUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`backend URL "${url}" is not a URL; use e.g. https://backend.example or http://127.0.0.1:8470`);
  }
  const loopback = parsed.hostname === 'localhost' || parsed.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(parsed.hostname);
  if (parsed.protocol === 'https:' || (parsed.protocol === 'http:' && loopback)) return parsed.origin;
  if (parsed.protocol !== 'http:') throw new Error(`backend URL ${url}: the backend is reached over https:// (or http:// to a loopback address), not ${parsed.protocol}`);
  throw new Error(`backend URL ${url}: plain http is only allowed to a loopback address; use https://`);
}

/**
 * What the backend said with an answer it was not asked for: the contract's JSON `error`, else the start of
 * the body on one line (a proxy's page, a JSON body of another shape); null when the body is empty.
 */
export function replyError(reply: TransportReply): string | null {
  try {
    const error = (reply.json() as { error?: unknown } | null)?.error;
    if (typeof error === 'string') return error;
  } catch {
    // Not JSON: the start of the body says more than nothing.
  }
  const start = reply.body.toString('utf8').slice(0, 200).replace(/\s+/g, ' ').trim();
  return start === '' ? null : start;
}

export class SyncTransport {
  private readonly http: AxiosInstance;
  /** serverTime − device time, as last measured; null before any. */
  clockErrorMs: number | null = null;
  /** Applied to the device time when signing: set by a 401 with serverTime. */
  private correctionMs = 0;

  constructor(private readonly options: TransportOptions) {
    this.http = axios.create({
      baseURL: checkBackendUrl(options.baseUrl),
      timeout: options.timeoutMs,
      maxContentLength: options.maxResponseBytes,
      maxBodyLength: options.maxResponseBytes,
      maxRedirects: 0,
      responseType: 'arraybuffer',
      decompress: false,
      transformRequest: [(data: unknown) => data],
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      proxy: false,
    });
  }

  /** One signed request; a transport failure (refused, reset, timeout, truncated) throws. */
  async request(method: 'GET' | 'POST', path: string, body: Buffer | null, signal?: AbortSignal, onProgress?: DownloadProgress): Promise<TransportReply> {
    let reply = await this.send(method, path, body, signal, onProgress);
    if (reply.status === 401 && this.noteServerTime(reply)) reply = await this.send(method, path, body, signal, onProgress);
    return reply;
  }

  /** Records serverTime from an answer; true when it changed the correction by more than a second. */
  noteServerTime(reply: TransportReply): boolean {
    let serverTime: number;
    try {
      const parsed = serverTimeShape.safeParse(reply.json());
      if (!parsed.success) return false;
      serverTime = Date.parse(parsed.data.serverTime);
    } catch {
      return false;
    }
    if (!Number.isFinite(serverTime)) return false;
    const error = serverTime - this.options.now();
    this.clockErrorMs = error;
    const changed = Math.abs(error - this.correctionMs) > 1000;
    if (changed) this.correctionMs = error;
    return changed;
  }

  private async send(method: 'GET' | 'POST', path: string, body: Buffer | null, signal?: AbortSignal, onProgress?: DownloadProgress): Promise<TransportReply> {
    const headers = signRequest(this.options.deviceId, this.options.privateKey, { method, path, body, now: this.options.now() + this.correctionMs });
    const res = await this.http.request<ArrayBuffer>({
      method,
      url: path,
      headers: body ? { ...headers, 'content-type': 'application/json' } : headers,
      data: body ?? undefined,
      ...(signal ? { signal } : {}),
      ...(onProgress ? { onDownloadProgress: (e: AxiosProgressEvent) => onProgress(e.loaded, e.total ?? null) } : {}),
    });
    const bytes = Buffer.from(res.data);
    const raw = res.headers as Record<string, unknown>;
    return {
      status: res.status,
      body: bytes,
      header: (name) => {
        const v = raw[name.toLowerCase()];
        return typeof v === 'string' ? v : undefined;
      },
      json: () => JSON.parse(bytes.toString('utf8')) as unknown,
    };
  }
}
