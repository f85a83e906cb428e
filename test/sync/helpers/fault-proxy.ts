/**
 * A loopback HTTP proxy between the sync client and the receiver that injects the faults of a real link:
 * 500s, 429 with Retry-After, requests that never answer, connections reset before or after the receiver
 * stored the data (a lost ack), truncated and slowed answers, requests delivered twice, altered bodies.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  | { readonly kind: 'pass' }
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: string }
  | { readonly kind: 'hang' }
  | { readonly kind: 'reset-before' }
  | { readonly kind: 'reset-after' }
  | { readonly kind: 'truncate' }
  | { readonly kind: 'slow'; readonly chunkDelayMs: number }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'alter'; readonly change: (body: Buffer, headers: Record<string, string>) => Buffer };

interface Upstream {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export class FaultProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  /** Counts by fault kind, for the test's report. */
  readonly counts = new Map<string, number>();
  requests = 0;

  constructor(
    private upstreamPort: number,
    private readonly plan: (method: string, url: string, n: number) => Fault,
  ) {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  /** Points at another upstream port (a receiver restarted elsewhere). */
  retarget(port: number): void {
    this.upstreamPort = port;
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readAll(req);
    const n = this.requests++;
    const fault = this.plan(req.method ?? 'GET', req.url ?? '/', n);
    this.counts.set(fault.kind, (this.counts.get(fault.kind) ?? 0) + 1);
    try {
      switch (fault.kind) {
        case 'status':
          res.writeHead(fault.status, { 'content-type': 'application/json', ...(fault.retryAfter ? { 'retry-after': fault.retryAfter } : {}) });
          res.end(JSON.stringify({ error: `injected ${fault.status}` }));
          return;
        case 'hang':
          return; // the client's timeout ends it
        case 'reset-before':
          req.socket.destroy();
          return;
        case 'reset-after':
          await this.forward(req, body);
          req.socket.destroy();
          return;
        case 'duplicate':
          await this.forward(req, body);
          return this.reply(res, await this.forward(req, body));
        case 'truncate': {
          const up = await this.forward(req, body);
          res.writeHead(up.status, { ...up.headers, 'content-length': String(up.body.length) });
          res.write(up.body.subarray(0, Math.floor(up.body.length / 2)));
          setTimeout(() => req.socket.destroy(), 5);
          return;
        }
        case 'slow': {
          const up = await this.forward(req, body);
          res.writeHead(up.status, { ...up.headers, 'content-length': String(up.body.length) });
          const step = Math.max(1, Math.ceil(up.body.length / 4));
          for (let i = 0; i < up.body.length; i += step) {
            res.write(up.body.subarray(i, i + step));
            await new Promise((r) => setTimeout(r, fault.chunkDelayMs));
          }
          res.end();
          return;
        }
        case 'alter': {
          const up = await this.forward(req, body);
          const changed = fault.change(up.body, up.headers);
          return this.reply(res, { ...up, body: changed });
        }
        case 'pass':
          return this.reply(res, await this.forward(req, body));
      }
    } catch {
      req.socket.destroy(); // the receiver is down (restarting): the client sees a reset
    }
  }

  private reply(res: ServerResponse, up: Upstream): void {
    res.writeHead(up.status, { ...up.headers, 'content-length': String(up.body.length) });
    res.end(up.body);
  }

  private forward(req: IncomingMessage, body: Buffer): Promise<Upstream> {
    return new Promise((resolve, reject) => {
      const headers = { ...req.headers, 'content-length': String(body.length) };
      delete headers.connection;
      const out = request({ host: '127.0.0.1', port: this.upstreamPort, method: req.method, path: req.url, headers }, (up) => {
        readAll(up).then((b) => {
          const h: Record<string, string> = {};
          for (const [k, v] of Object.entries(up.headers)) if (typeof v === 'string' && k !== 'content-length' && k !== 'connection' && k !== 'keep-alive') h[k] = v;
          resolve({ status: up.statusCode ?? 502, headers: h, body: b });
        }, reject);
      });
      out.on('error', reject);
      out.end(body);
    });
  }
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}
