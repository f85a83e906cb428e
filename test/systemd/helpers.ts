import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'vitest';

export { ChildDaemon } from '../support/child-daemon.ts';
export { FakeNotifySocket, type Notice } from '../support/fake-notify-socket.ts';

export const ROOT = join(import.meta.dirname, '../..');

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
