import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWhen, missingCommand, ROOT } from './helpers.ts';
import { expectExposureWithinGoal, expectVerifyClean } from './unit-checks.ts';

const UNIT = join(ROOT, 'systemd/validator.service');

describeWhen(missingCommand('systemd-analyze'))('systemd/validator.service', () => {
  it('passes systemd-analyze verify without a warning', () => {
    expectVerifyClean(UNIT);
  });

  it('scores an exposure of at most 2.0 in systemd-analyze security --offline=true', () => {
    expectExposureWithinGoal(UNIT);
  });
});

it('runs the compiled build as the validator user, with the directories, watchdog and device policy the daemon expects', () => {
  const unit = readFileSync(UNIT, 'utf8');
  for (const line of [
    'Type=notify',
    'NotifyAccess=main',
    'ExecStart=/usr/bin/node /opt/qom-validator/bin/validator.js run',
    'Restart=always',
    'WatchdogSec=10',
    'User=validator',
    'StateDirectory=validator',
    'ConfigurationDirectory=validator',
    'After=pcscd.socket time-sync.target',
    // Restarted forever, never left stopped by a start limit.
    'StartLimitIntervalSec=0',
    'RestartSec=5',
    'DevicePolicy=closed',
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6',
  ]) {
    expect(unit.split('\n')).toContain(line);
  }
  expect(unit).not.toMatch(/^SupplementaryGroups=/m);
  expect(unit).not.toMatch(/^(After|Wants|Requires)=.*network-online/m);
  expect(unit).not.toMatch(/^StartLimitBurst=/m);
  expect(unit).not.toMatch(/^MemoryDenyWriteExecute=yes/m);
});
