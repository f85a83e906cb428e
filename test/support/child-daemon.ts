import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

// No vitest here: bench/cold-start.ts uses it too.

const ROOT = join(import.meta.dirname, '../..');

/** `validator run --simulate` in a child process with the environment systemd would give it. */
export class ChildDaemon {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  private constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (b: Buffer) => this.stdout.push(b.toString()));
    child.stderr?.on('data', (b: Buffer) => this.stderr.push(b.toString()));
  }

  /**
   * Starts it: `bin` another install's bin/validator.js, `stderrFd` a file descriptor for stderr in place of
   * the pipe (as journald's stream would be), `cwd` its working directory (systemd's is /).
   */
  static start(stateDir: string, env: NodeJS.ProcessEnv, options: { bin?: string; stderrFd?: number; cwd?: string } = {}): ChildDaemon {
    const bin = options.bin ?? join(ROOT, 'bin/validator.js');
    const child = spawn(process.execPath, [bin, 'run', '--simulate', '--no-panel', '--state-dir', stateDir], {
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      env: { PATH: process.env['PATH'], ...env },
      stdio: ['ignore', 'pipe', options.stderrFd ?? 'pipe'],
    });
    return new ChildDaemon(child);
  }

  output(): string {
    return [...this.stdout, ...this.stderr].join('');
  }

  /** Resolves with the exit code (null: killed by a signal) once it has exited, however it ended. */
  async exited(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    const [code] = (await once(this.child, 'exit')) as [number | null];
    return code;
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
