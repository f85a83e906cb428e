import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChildDaemon, describeWhen, FakeNotifySocket, missingCommand, ROOT } from './helpers.ts';
import { expectExposureWithinGoal, expectVerifyClean } from './unit-checks.ts';

// A dry install (systemd/install.sh --dest-root): what an install puts where, and that what it puts there
// runs. The build goes into the install, not the checkout's dist/.
const dest = mkdtempSync(join(tmpdir(), 'qom-install-'));
const app = join(dest, 'opt/qom-validator');
const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

function install(...args: string[]): string {
  const run = spawnSync('sh', [join(ROOT, 'systemd/install.sh'), '--dest-root', dest, ...args], { encoding: 'utf8' });
  expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
  return run.stdout;
}

describe('systemd/install.sh --dest-root', () => {
  beforeAll(() => {
    install();
  }, 120_000);
  afterAll(() => rmSync(dest, { recursive: true, force: true }));

  it('puts the compiled build, its production node_modules and no sources in /opt/qom-validator', () => {
    for (const file of ['bin/validator.js', 'dist/src/cli/main.js', 'dist/src/cli/import-worker.js', 'package.json', 'fares/qom-1404/manifest.json']) {
      expect(existsSync(join(app, file)), file).toBe(true);
    }
    // bin/validator.js would run src/ through tsx if there were one.
    expect(existsSync(join(app, 'src'))).toBe(false);
    for (const runtime of ['better-sqlite3', 'sd-notify', 'serialport', 'nfc-pcsc']) expect(existsSync(join(app, 'node_modules', runtime)), runtime).toBe(true);
    // (esbuild stays: tsx, a runtime dependency for checkouts, needs it.)
    for (const dev of ['typescript', 'vitest', 'eslint', 'typescript-eslint']) expect(existsSync(join(app, 'node_modules', dev)), dev).toBe(false);
  });

  it('installs the unit and the rules unchanged, and the config and state directories with their modes', () => {
    expect(readFileSync(join(dest, 'etc/systemd/system/validator.service'), 'utf8')).toBe(readFileSync(join(ROOT, 'systemd/validator.service'), 'utf8'));
    expect(readFileSync(join(dest, 'etc/udev/rules.d/99-qom-validator.rules'), 'utf8')).toBe(readFileSync(join(ROOT, 'systemd/99-qom-validator.rules'), 'utf8'));
    expect(mode(join(dest, 'etc/validator'))).toBe('750');
    expect(mode(join(dest, 'var/lib/validator'))).toBe('700');
  });

  describeWhen(missingCommand('socat', ['-V']))('the installed build', () => {
    it('starts from compiled JavaScript and reports READY=1', async () => {
      const notify = await FakeNotifySocket.open(join(dest, 'notify.sock'));
      const daemon = ChildDaemon.start(join(dest, 'state'), { NOTIFY_SOCKET: notify.address }, { bin: join(app, 'bin/validator.js') });
      try {
        await notify.next((l) => l === 'READY=1', 30_000);
        expect(await daemon.stop('SIGTERM')).toBe(0);
        expect(daemon.output()).toContain(join(app, 'fares/qom-1404'));
      } finally {
        await daemon.stop('SIGKILL');
        await notify.close();
      }
    }, 40_000);
  });

  describeWhen(missingCommand('systemd-analyze'))('the installed unit', () => {
    it('passes systemd-analyze verify and security', () => {
      const unit = join(dest, 'etc/systemd/system/validator.service');
      expectVerifyClean(unit);
      expectExposureWithinGoal(unit);
    });
  });

  it('upgrades rules left as an older version shipped them (unedited), and says nothing of keeping them', () => {
    const rules = join(dest, 'etc/udev/rules.d/99-qom-validator.rules');
    // As an older version would have left them: its rules installed, unedited, and its copy in the install.
    const older = '# 99-qom-validator.rules of an older version\nACTION=="remove", GOTO="qom_validator_end"\nLABEL="qom_validator_end"\n';
    writeFileSync(rules, older);
    writeFileSync(join(app, 'systemd/99-qom-validator.rules'), older);
    const out = install('--dist', join(app, 'dist'));
    expect(out).not.toContain('kept');
    expect(readFileSync(rules, 'utf8')).toBe(readFileSync(join(ROOT, 'systemd/99-qom-validator.rules'), 'utf8'));
    expect(existsSync(`${rules}.new`)).toBe(false);
  }, 120_000);

  it('keeps the working install when a native module does not load with the Node the unit runs', () => {
    // A Node under which better-sqlite3's binding fails as one built for another Node's ABI does.
    const fake = mkdtempSync(join(tmpdir(), 'qom-fake-node-'));
    writeFileSync(
      join(fake, 'abi.cjs'),
      `const Module = require('node:module');
const load = Module._load;
Module._load = function (request, ...rest) {
  if (request === 'better-sqlite3') throw new Error('better_sqlite3.node was compiled against a different Node.js version using NODE_MODULE_VERSION 108');
  return load.call(this, request, ...rest);
};
`,
    );
    writeFileSync(join(fake, 'node'), `#!/bin/sh\nNODE_OPTIONS="--require ${join(fake, 'abi.cjs')}" exec "${process.execPath}" "$@"\n`, { mode: 0o755 });
    writeFileSync(join(app, 'still-the-old-install'), '');
    try {
      const run = spawnSync('sh', [join(ROOT, 'systemd/install.sh'), '--dest-root', dest, '--dist', join(app, 'dist'), '--node', join(fake, 'node')], { encoding: 'utf8' });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('better-sqlite3 does not load with Node');
      expect(run.stderr).toContain('NODE_MODULE_VERSION 108');
      expect(run.stderr).toContain(`the install in ${app} is unchanged`);
      expect(run.stderr).not.toContain('sd-notify does not load');
      expect(existsSync(join(app, 'still-the-old-install'))).toBe(true);
      expect(existsSync(join(app, 'dist/src/cli/main.js'))).toBe(true);
      expect(existsSync(`${app}.new`) || existsSync(`${app}.old`)).toBe(false);
    } finally {
      rmSync(fake, { recursive: true, force: true });
      rmSync(join(app, 'still-the-old-install'), { force: true });
    }
  }, 120_000);

  it('can run again: the code is replaced, rules a technician filled in are kept and the shipped ones put beside', () => {
    const rules = join(dest, 'etc/udev/rules.d/99-qom-validator.rules');
    appendFileSync(rules, '# filled in on the bus\n');
    const out = install('--dist', join(app, 'dist'));
    expect(out).toContain('kept');
    expect(readFileSync(rules, 'utf8')).toContain('# filled in on the bus');
    expect(readFileSync(`${rules}.new`, 'utf8')).toBe(readFileSync(join(ROOT, 'systemd/99-qom-validator.rules'), 'utf8'));
    expect(existsSync(join(app, 'dist/src/cli/main.js'))).toBe(true);
    expect(existsSync(`${app}.new`) || existsSync(`${app}.old`)).toBe(false);
  }, 120_000);
});
