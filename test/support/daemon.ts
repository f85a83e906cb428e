import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { callControl } from '../../src/control/control-client.ts';
import { controlSocketPath } from '../../src/control/socket-path.ts';

const ROOT = join(import.meta.dirname, '../..');

/** A validator daemon in a child process, as systemd would run it: in simulation, or on the config's PC/SC readers. */
export class Daemon {
  readonly output: string[] = [];
  private child: ChildProcess | null = null;

  constructor(
    readonly stateDir: string,
    private readonly config: object,
    private readonly mode: 'simulate' | 'pcsc' = 'simulate',
  ) {}

  get socket(): string {
    return controlSocketPath(this.stateDir);
  }

  /** Starts the daemon and resolves once its control socket answers. */
  async start(): Promise<void> {
    const configFile = join(this.stateDir, '..', 'config.json');
    writeFileSync(configFile, JSON.stringify(this.config));
    const simulate = this.mode === 'simulate' ? ['--simulate'] : [];
    const child = spawn(process.execPath, [join(ROOT, 'bin/validator.js'), 'run', ...simulate, '--no-panel', '--state-dir', this.stateDir, '--config', configFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.on('data', (b: Buffer) => this.output.push(b.toString()));
    child.stderr?.on('data', (b: Buffer) => this.output.push(b.toString()));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`validator exited with ${child.exitCode} while starting:\n${this.output.join('')}`);
      try {
        await callControl(this.socket, 'status', {}, { timeoutMs: 1_000 });
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`validator did not answer within 30 s:\n${this.output.join('')}`);
        await delay(50);
      }
    }
  }

  /** Sends a signal and waits for the process to end; resolves with its exit code (null when killed). */
  async stop(signal: NodeJS.Signals): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
    child.kill(signal);
    const [code] = await exited;
    this.child = null;
    return code;
  }
}
