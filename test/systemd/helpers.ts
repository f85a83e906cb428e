import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, it } from 'vitest';

export const ROOT = join(import.meta.dirname, '../..');

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

/** `validator run --simulate` in a child process with the environment systemd would give it. */
export class ChildDaemon {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  private constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (b: Buffer) => this.stdout.push(b.toString()));
    child.stderr?.on('data', (b: Buffer) => this.stderr.push(b.toString()));
  }

  /** Starts it; `stdio` replaces the pipes for stderr (a file descriptor, as journald's stream would be). */
  static start(stateDir: string, env: NodeJS.ProcessEnv, options: { bin?: string; stderrFd?: number } = {}): ChildDaemon {
    const bin = options.bin ?? join(ROOT, 'bin/validator.js');
    const child = spawn(process.execPath, [bin, 'run', '--simulate', '--no-panel', '--state-dir', stateDir], {
      env: { PATH: process.env['PATH'], ...env },
      stdio: ['ignore', 'pipe', options.stderrFd ?? 'pipe'],
    });
    return new ChildDaemon(child);
  }

  output(): string {
    return [...this.stdout, ...this.stderr].join('');
  }

  /** Sends a signal and resolves with the exit code once it has exited. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    const exited = once(this.child, 'exit') as Promise<[number | null]>;
    this.child.kill(signal);
    const [code] = await exited;
    return code;
  }
}

/**
 * A `describe` for suites that need a tool of the machine (systemd-analyze, udevadm, root): the suite when
 * `missing` is null; else skipped, its title saying why; under CI=true it fails instead, with the reason
 * (CI runs as root on Debian 12, where scripts/setup.mjs has installed them).
 */
export function describeWhen(missing: string | null): (name: string, suite: () => void) => void {
  if (missing === null) return (name, suite) => describe(name, suite);
  if (process.env['CI'] === 'true') {
    return (name) =>
      describe(name, () => {
        it(`needs ${missing} (CI=true: not skipped)`, () => {
          throw new Error(`cannot run: ${missing}`);
        });
      });
  }
  console.warn(`skipped: ${missing}`);
  return (name, suite) => describe.skip(`${name} (skipped: ${missing})`, suite);
}

/** Null when the command runs here, else why not. */
export function missingCommand(command: string, args: string[] = ['--version']): string | null {
  const run = spawnSync(command, args, { encoding: 'utf8' });
  return run.error ? `${command} is not installed (${run.error.message}); scripts/setup.mjs installs it as root` : null;
}
