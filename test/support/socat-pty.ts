import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Why socat tests cannot run here, or null. Under CI=true a missing socat fails the run instead. */
export function socatMissing(): string | null {
  const probe = spawnSync('socat', ['-V'], { stdio: 'ignore' });
  if (probe.error === undefined && probe.status === 0) return null;
  const reason = 'socat is not installed (scripts/setup.mjs installs it: apt-get install socat)';
  if (process.env.CI === 'true') throw new Error(reason);
  return reason;
}

/**
 * A pair of real pseudo-terminals joined by socat, a null-modem cable: the code under test opens `port`
 * as its serial port; the test writes the device's bytes into `feed`, or a device simulator opens it.
 * Stopping socat is unplugging the device; starting a new pair on the same paths is plugging it back.
 */
export class SocatPty {
  private feedHandle: FileHandle | null = null;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: string,
    readonly feed: string,
  ) {}

  static async start(dir: string, name = 'gps'): Promise<SocatPty> {
    const port = join(dir, `${name}-port`);
    const feed = join(dir, `${name}-feed`);
    // Links a killed socat left behind would pass for the new ones.
    for (const link of [port, feed]) rmSync(link, { force: true });
    const child = spawn('socat', [`pty,raw,echo=0,link=${port}`, `pty,raw,echo=0,link=${feed}`], { stdio: 'ignore' });
    const deadline = Date.now() + 5000;
    while (!(existsSync(port) && existsSync(feed))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`socat did not make ${port} and ${feed}`);
      }
      await sleep(10);
    }
    return new SocatPty(child, port, feed);
  }

  /** Writes bytes as the receiver would send them. */
  async write(data: string | Buffer): Promise<void> {
    this.feedHandle ??= await open(this.feed, 'r+');
    // latin1: a string's characters are the bytes sent, garbage included.
    await this.feedHandle.write(Buffer.isBuffer(data) ? data : Buffer.from(data, 'latin1'));
  }

  /** Stops socat (the receiver unplugged); resolves when it has exited and its links are gone. */
  async stop(): Promise<void> {
    await this.feedHandle?.close();
    this.feedHandle = null;
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.child.kill('SIGTERM');
      await exited;
    }
  }
}
