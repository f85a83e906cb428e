/**
 * The reference receiver: contract v1 over node:http (docs/sync-protocol.md). No framework: five routes,
 * each a small function, and the whole request body read before anything is checked, because the
 * signature covers its bytes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { KeyObject } from 'node:crypto';
import { GENESIS_HASH } from '../../src/journal/canonical.ts';
import type { TapRecord } from '../../src/journal/types.ts';
import type { Logger } from '../../src/log/logger.ts';
import { publicKeyFromRaw, rawPublicKey, type KeyPair } from '../contract/keys.ts';
import { HEADER_CONTENT_SIGNATURE, HEADER_DEVICE, HEADER_SIGNATURE, HEADER_TIMESTAMP, requestSignatureProblem } from '../contract/signing.ts';
import { DEFAULT_BATCH_SIZE, enrollRequestShape, heartbeatShape, MAX_BATCH_BYTES, tapBatchShape } from '../contract/wire.ts';
import { ingestTaps } from './ingest-taps.ts';
import type { ReceiverStore, SignedFile } from './receiver-store.ts';

export interface ReceiverOptions {
  readonly store: ReceiverStore;
  readonly key: KeyPair;
  readonly now: () => number;
  readonly log: Logger;
  /** What enrollment hands the device as `config`. */
  readonly deviceConfig?: Readonly<Record<string, unknown>>;
}

interface Reply {
  readonly status: number;
  readonly json?: unknown;
  readonly bytes?: { readonly body: Buffer; readonly type: string; readonly signature: string };
}

class HttpRefusal extends Error {
  constructor(readonly reply: Reply) {
    super(`HTTP ${reply.status}`);
  }
}

const DEVICE_ROUTE = /^\/v1\/devices\/([^/?]+)\/(taps|denylist|fares|heartbeat)(?:\?(.*))?$/;

/** A receiver bound to one store; listen() to serve. */
export class ReceiverServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly options: ReceiverOptions) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        options.log.error(`receiver: ${req.method ?? '?'} ${req.url ?? '?'} failed`, { error: e instanceof Error ? e.stack : String(e) });
        if (!res.headersSent) send(res, { status: 500, json: { error: 'internal error in the receiver; see its log' } });
        else res.destroy();
      });
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  /** Listens on host:port (port 0: any free one); resolves with the port. */
  async listen(port: number, host = '127.0.0.1'): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  /** Stops listening and ends open connections (a receiver restart in tests ends them abruptly). */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let reply: Reply;
    try {
      const body = await readBody(req, MAX_BATCH_BYTES);
      reply = this.route(req.method ?? 'GET', req.url ?? '/', req.headers, body);
    } catch (e) {
      if (!(e instanceof HttpRefusal)) throw e;
      reply = e.reply;
    }
    send(res, reply);
  }

  private route(method: string, url: string, headers: IncomingMessage['headers'], body: Buffer): Reply {
    if (method === 'POST' && url === '/v1/enroll') return this.enroll(headers, body);
    const m = DEVICE_ROUTE.exec(url);
    if (!m) return { status: 404, json: { error: `no such endpoint: ${method} ${url} (contract v1: docs/sync-protocol.md)` } };
    const [, rawId = '', what = '', query = ''] = m;
    const pathDevice = decodeURIComponent(rawId);
    const device = this.authenticate(method, url, headers, body, null);
    if (device !== pathDevice) throw refusal(403, `device ${device} may not act for device ${pathDevice}`);
    const since = new URLSearchParams(query).get('since') ?? '';
    switch (what) {
      case 'taps':
        if (method !== 'POST') break;
        return this.taps(device, body);
      case 'denylist':
        if (method !== 'GET') break;
        return this.signedFile(since, this.options.store.denyListFor(since), 'application/gzip');
      case 'fares':
        if (method !== 'GET') break;
        return this.signedFile(since, this.options.store.latestFareBundle(), 'application/json');
      case 'heartbeat':
        if (method !== 'POST') break;
        return this.heartbeat(device, body);
    }
    return { status: 405, json: { error: `${method} is not allowed on ${url}` } };
  }

  /** The signing device's id, or a 401 refusal with serverTime. `enrolling` is the key an enrollment brings. */
  private authenticate(method: string, url: string, headers: IncomingMessage['headers'], body: Buffer, enrolling: KeyObject | null): string {
    const deviceId = header(headers, HEADER_DEVICE);
    if (deviceId === undefined) throw this.unauthorized('X-Device-Id is missing');
    let key = enrolling;
    if (key === null) {
      const row = this.options.store.device(deviceId);
      if (!row) throw this.unauthorized(`device ${deviceId} is not enrolled: enroll it with a code (validator enroll)`);
      key = publicKeyFromRaw(row.publicKey);
    }
    const problem = requestSignatureProblem(key, {
      method,
      path: url,
      body,
      timestamp: header(headers, HEADER_TIMESTAMP),
      signature: header(headers, HEADER_SIGNATURE),
      now: this.options.now(),
    });
    if (problem !== null) throw this.unauthorized(problem);
    return deviceId;
  }

  private unauthorized(why: string): HttpRefusal {
    return new HttpRefusal({ status: 401, json: { serverTime: new Date(this.options.now()).toISOString(), error: why } });
  }

  private enroll(headers: IncomingMessage['headers'], body: Buffer): Reply {
    const request = enrollRequestShape.safeParse(parseJson(body));
    if (!request.success) throw refusal(400, `enrollment body: ${request.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    let key: KeyObject;
    try {
      key = publicKeyFromRaw(request.data.publicKey);
    } catch (e) {
      throw refusal(400, `publicKey: ${(e as Error).message}`);
    }
    const signer = this.authenticate('POST', '/v1/enroll', headers, body, key);
    if (signer !== request.data.deviceId) throw refusal(403, `X-Device-Id ${signer} does not match deviceId ${request.data.deviceId}`);
    const { store, now, log } = this.options;
    if (!store.enroll(request.data.enrollmentCode, request.data.deviceId, request.data.publicKey, GENESIS_HASH, now())) {
      throw refusal(403, 'enrollment code unknown or already used: ask for a new one (validator backend code)');
    }
    log.info(`device ${request.data.deviceId} enrolled`);
    const config = this.options.deviceConfig ?? { batchSize: DEFAULT_BATCH_SIZE, heartbeatSeconds: 60 };
    return { status: 201, json: { deviceId: request.data.deviceId, backendPublicKey: rawPublicKey(this.options.key.publicKey), config } };
  }

  private taps(device: string, body: Buffer): Reply {
    const batch = tapBatchShape.safeParse(parseJson(body));
    if (!batch.success) throw refusal(400, `tap batch: ${batch.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const taps = batch.data.taps as TapRecord[];
    const result = ingestTaps(this.options.store, device, taps, 'upload');
    switch (result.kind) {
      case 'stored':
        return { status: 200, json: { ackedThrough: result.ackedThrough } };
      case 'gap':
        return { status: 409, json: { ackedThrough: result.ackedThrough, error: `this batch starts at ${taps[0]?.seq ?? '?'}; resend from ${result.ackedThrough + 1}` } };
      case 'conflict':
        this.options.log.error(`device ${device}: seq ${result.seq} arrived with another hash than the one stored`);
        return { status: 409, json: { conflict: result.seq, error: `seq ${result.seq} is stored with another hash` } };
      case 'broken':
        this.options.log.error(`device ${device}: broken chain: ${result.problem}`);
        return { status: 422, json: { error: result.problem } };
      case 'unknown-device':
        throw this.unauthorized(`device ${device} is not enrolled`);
    }
  }

  private heartbeat(device: string, body: Buffer): Reply {
    const beat = heartbeatShape.safeParse(parseJson(body));
    if (!beat.success) throw refusal(400, `heartbeat: ${beat.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const now = this.options.now();
    this.options.store.saveStatus(device, JSON.stringify(beat.data.status), now);
    return { status: 200, json: { serverTime: new Date(now).toISOString() } };
  }

  private signedFile(since: string, file: SignedFile | undefined, type: string): Reply {
    if (!file || file.version === since) return { status: 304 };
    return { status: 200, bytes: { body: file.body, type, signature: file.signature } };
  }
}

function refusal(status: number, error: string): HttpRefusal {
  return new HttpRefusal({ status, json: { error } });
}

function header(headers: IncomingMessage['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw refusal(400, `the body is not JSON: ${(e as Error).message}`);
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(refusal(413, `the body is over ${limit} bytes: send smaller batches`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: Reply): void {
  if (reply.bytes) {
    res.writeHead(reply.status, { 'content-type': reply.bytes.type, 'content-length': reply.bytes.body.length, [HEADER_CONTENT_SIGNATURE]: reply.bytes.signature });
    res.end(reply.bytes.body);
    return;
  }
  if (reply.json === undefined) {
    res.writeHead(reply.status);
    res.end();
    return;
  }
  const body = Buffer.from(JSON.stringify(reply.json));
  res.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
}
