/**
 * npm start's backend: the reference receiver (validator backend) as a child process beside the simulated
 * validator, its data in <state dir>/backend. On first start the device enrolls itself with a code issued
 * through the receiver's own admin store, exactly as a technician would with `validator backend code` and
 * `validator enroll`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from '../../log/logger.ts';
import { PACKAGE_ROOT } from '../package-root.ts';
import { enroll } from '../../../sync/client/enrollment.ts';
import { openReceiver } from '../../../sync/receiver/open-receiver.ts';

const VALIDATOR_BIN = join(PACKAGE_ROOT, 'bin', 'validator.js');
const START_TIMEOUT_MS = 20_000;

export interface LocalBackend {
  readonly url: string;
  stop(): Promise<void>;
}

export interface LocalBackendOptions {
  readonly stateDir: string;
  readonly deviceId: string;
  readonly keyFile: string;
  readonly enrollmentFile: string;
  readonly log: Logger;
}

/** Starts the receiver on a free loopback port and enrolls the device if it is not yet. */
export async function startLocalBackend(options: LocalBackendOptions): Promise<LocalBackend> {
  const dataDir = join(options.stateDir, 'backend');
  // stdin stays open to us: when this process dies, however it dies, the receiver sees it close and stops.
  const child = spawn(process.execPath, [VALIDATOR_BIN, 'backend', '--port', '0', '--data', dataDir, '--exit-with-parent'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const url = await listeningUrl(child, options.log);
  options.log.info(`local sync receiver at ${url} (data in ${dataDir})`);
  // A receiver gone away makes writes to its stdin fail; nothing is written there, but the pipe must not crash us.
  child.stdin?.on('error', () => undefined);
  const stop = async (): Promise<void> => {
    // Our end of its stdin would keep this process's event loop alive after the stop.
    child.stdin?.destroy();
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  };
  try {
    if (!existsSync(options.enrollmentFile)) {
      const admin = openReceiver(dataDir, options.log);
      let code: string;
      try {
        code = admin.store.issueCode(Date.now());
      } finally {
        admin.store.close();
      }
      await enroll({ backendUrl: url, code, deviceId: options.deviceId, keyFile: options.keyFile, enrollmentFile: options.enrollmentFile });
      options.log.info(`enrolled ${options.deviceId} with the local receiver`);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, stop };
}

/** The URL from the receiver's "listening on" log line; its other lines go to our log. */
function listeningUrl(child: ChildProcess, log: Logger): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the local sync receiver did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the local sync receiver exited with ${code ?? 'a signal'}: ${stderr.trim()}`));
    });
    const lines = createInterface({ input: child.stdout! });
    const backendLog = log.child('backend');
    lines.on('line', (line) => {
      const m = /listening on (http:\/\/[0-9.:]+)/.exec(line);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
        return;
      }
      backendLog.debug(line);
    });
  });
}
