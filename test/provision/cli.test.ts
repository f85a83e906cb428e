// The `validator provision` executable: what a technician reads, and the exit codes scripts rely on.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAccount, serviceOwnership } from '../../src/app/provision/service-account.ts';
import { useTempDir } from '../journal/helpers/temp-dir.ts';
import { DEVICE, startBackend, type Backend } from './helpers.ts';

const BIN = join(import.meta.dirname, '../../bin/validator.js');

function cli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 30_000, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('validator provision (the executable)', { timeout: 60_000 }, () => {
  const dir = useTempDir();
  let backend: Backend;
  beforeEach(async () => {
    backend = await startBackend(join(dir.path, 'backend'));
  });
  afterEach(async () => {
    await backend.close();
  });

  it('prints what it did, and exits 0; a used code is refused with exit 1 and what to do', async () => {
    const stateDir = join(dir.path, 'state');
    const code = backend.code();
    // The config file from $VALIDATOR_CONFIG, as a systemd unit or a depot script would set it.
    const env = { VALIDATOR_CONFIG: join(dir.path, 'etc', 'config.json') };
    const args = ['--state-dir', stateDir, 'provision', '--device-id', DEVICE, '--backend', backend.url, '--vehicle', 'BUS-117', '--route', '12', '--reader', 'ACR1252', '--reader', '/PICC.*01$/'];
    const run = await cli([...args, '--code', code], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`provisioned: device ${DEVICE}, backend ${backend.url}\n  enrollment: enrolled at `);
    expect(run.stdout).toMatch(new RegExp(`device key {2}new {8}0600(?: \\S+)? {2}${stateDir}/device-key\\.pem\n`));
    expect(run.stdout).toMatch(new RegExp(`config {6}new {8}0640(?: \\S+)? {2}${dir.path}/etc/config\\.json\n`));
    expect(run.stdout).toContain('    readers: front "ACR1252", rear "/PICC.*01$/"\n');
    expect(run.stdout).toContain('  deny list: version 1, 1 card (fetched now)\n  fare bundle: qom-1404.1 (fetched now)\n');
    expect(run.stdout).toContain('Start the validator (systemctl start validator, or restart it).\n');

    const again = await cli([...args, '--code', code, '--force'], env);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(/^validator: ENROLLMENT_REFUSED: nothing was changed: the enrollment code is unknown or already used/);

    const plain = await cli(['--state-dir', stateDir, 'provision', '--device-id', DEVICE, '--backend', 'http://192.0.2.1:8470', '--config', join(dir.path, 'x.json')]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain('validator: BAD_REQUEST: nothing was changed; one problem with the command:\n  - --backend: backend URL http://192.0.2.1:8470: plain http is only allowed to a loopback address; use https://\n');
  });
});

describe('the service account', () => {
  it('reads passwd and group lines; no account unless root and the user exists', () => {
    expect(parseAccount('validator:x:998:997:Qom validator:/var/lib/validator:/usr/sbin/nologin\n', 'validator:x:996:\n')).toEqual({ user: 'validator', group: 'validator', uid: 998, gid: 996 });
    expect(parseAccount('validator:x:998:997::/:/bin/false', null)).toEqual({ user: 'validator', group: 'validator', uid: 998, gid: 997 });
    expect(parseAccount('garbage', null)).toBeNull();
    const lookup = (db: 'passwd' | 'group'): string | null => (db === 'passwd' ? 'validator:x:998:997::/:/bin/false' : null);
    expect(serviceOwnership(lookup)).toEqual(
      process.getuid?.() === 0 ? { account: { user: 'validator', group: 'validator', uid: 998, gid: 997 }, state: { uid: 998, gid: 997 }, config: { uid: 0, gid: 997 } } : null,
    );
    expect(serviceOwnership(() => null)).toBeNull();
  });
});
