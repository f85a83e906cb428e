import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Why the socat tests cannot run here, or null. Under CI=true a missing socat fails the run instead. */
export function socatMissing(): string | null {
  const probe = spawnSync('socat', ['-V'], { stdio: 'ignore' });
  if (probe.error === undefined && probe.status === 0) return null;
  const reason = 'socat is not installed (scripts/setup.mjs installs it: apt-get install socat)';
  if (process.env.CI === 'true') throw new Error(reason);
  return reason;
}

/**
 * Two real pseudo-terminals joined by socat, a null-modem cable: the driver opens `host`, the unit
 * simulator opens `unit`. Stopping socat pulls the cable; starting again on the same dir puts it back.
 */
export class SocatWire {
  private constructor(
    private readonly child: ChildProcess,
    readonly host: string,
    readonly unit: string,
  ) {}

  static async start(dir: string): Promise<SocatWire> {
    const host = join(dir, 'host');
    const unit = join(dir, 'unit');
    // Links a killed socat left behind would pass for the new ones.
    for (const link of [host, unit]) rmSync(link, { force: true });
    const child = spawn('socat', [`pty,raw,echo=0,link=${host}`, `pty,raw,echo=0,link=${unit}`], { stdio: 'ignore' });
    const deadline = Date.now() + 5000;
    while (!(existsSync(host) && existsSync(unit))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`socat did not make ${host} and ${unit}`);
      }
      await sleep(10);
    }
    return new SocatWire(child, host, unit);
  }

  /** Stops socat; resolves once it has exited (its links are gone). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}
