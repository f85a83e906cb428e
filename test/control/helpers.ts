/** Real unix sockets in a fresh temp directory, and a raw line client for what callControl never sends. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isValidatorError, type ValidatorError } from '../../src/domain/errors.ts';

/** A fresh state directory; `remove()` deletes it. Short, because socket paths are limited to 107 bytes. */
export function tempStateDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'ctl-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Leaves a socket file at `path` with nobody listening, as a killed daemon does: exit without closing. */
export function makeStaleSocket(path: string): void {
  const script = `require('node:net').createServer().listen(${JSON.stringify(path)}, () => process.exit(0))`;
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
  if (run.status !== 0) throw new Error(`could not make a stale socket: ${run.stderr}`);
}

/** A connection that sends raw bytes and reads answers line by line. */
export class RawClient {
  private buffered = '';
  private waiters: (() => void)[] = [];
  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      this.buffered += text;
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static connect(path: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(path);
      socket.once('connect', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  send(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** The next line, parsed as JSON; fails after `timeoutMs` so a hang is a failure, not a stuck test. */
  async nextJson(timeoutMs = 2000): Promise<unknown> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const nl = this.buffered.indexOf('\n');
      if (nl !== -1) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        return JSON.parse(line);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no answer line within ${timeoutMs} ms (have: ${JSON.stringify(this.buffered)})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves when the server has closed the connection. */
  ended(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readableEnded || this.socket.destroyed) resolve();
      else this.socket.once('close', () => resolve());
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Catches the rejection of a call, so a test can look at its code and message. */
export async function failure(call: Promise<unknown>): Promise<ValidatorError> {
  const e: unknown = await call.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!isValidatorError(e)) throw new Error(`expected a ValidatorError, got ${String(e)}`);
  return e;
}
