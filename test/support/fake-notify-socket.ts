import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

// No vitest here: bench/cold-start.ts uses it too.

/** One sd_notify datagram's assignments, with when it arrived (ms, performance.now()). */
export interface Notice {
  readonly at: number;
  readonly line: string;
}

/**
 * A fake NOTIFY_SOCKET: a datagram socket (a path, or an abstract "@name") that socat reads. The daemon ends
 * each message with a newline, so the stream splits back into assignments, one a line.
 */
export class FakeNotifySocket {
  readonly notices: Notice[] = [];
  private partial = '';

  private constructor(
    readonly address: string,
    private readonly socat: ChildProcess,
  ) {
    socat.stdout?.on('data', (b: Buffer) => {
      const lines = (this.partial + b.toString()).split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) if (line !== '') this.notices.push({ at: performance.now(), line });
    });
  }

  /** Listens on `address`: a socket path, or "@name" for an abstract socket. */
  static async open(address: string): Promise<FakeNotifySocket> {
    const where = address.startsWith('@') ? `ABSTRACT-RECV:${address.slice(1)}` : `UNIX-RECV:${address}`;
    const socat = spawn('socat', ['-u', where, 'STDOUT'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let error = '';
    socat.stderr?.on('data', (b: Buffer) => (error += b.toString()));
    // socat has bound once the path exists (or, abstract, once /proc/net/unix lists it).
    const bound = (): boolean => (address.startsWith('@') ? spawnSync('grep', ['-q', `@${address.slice(1)}$`, '/proc/net/unix']).status === 0 : existsSync(address));
    for (let i = 0; !bound(); i++) {
      if (socat.exitCode !== null || i > 500) throw new Error(`socat did not bind ${address}: ${error}`);
      await delay(10);
    }
    return new FakeNotifySocket(address, socat);
  }

  lines(): string[] {
    return this.notices.map((n) => n.line);
  }

  /** Resolves with the first notice matching, waiting up to `timeoutMs`. */
  async next(match: (line: string) => boolean, timeoutMs: number, after = 0): Promise<Notice> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = this.notices.find((n) => n.at >= after && match(n.line));
      if (found) return found;
      if (performance.now() > deadline) throw new Error(`no matching notice within ${timeoutMs} ms; got:\n${this.lines().join('\n')}`);
      await delay(20);
    }
  }

  async close(): Promise<void> {
    if (this.socat.exitCode !== null) return;
    const exited = once(this.socat, 'exit');
    this.socat.kill();
    await exited;
  }
}
