import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';

/** The unit's exposure goal: systemd-analyze security's 0-10 scale. */
export const EXPOSURE_GOAL = 2.0;

/**
 * A copy of a unit file for `systemd-analyze verify`, which checks that ExecStart's program exists: where
 * this machine's node is not at /usr/bin/node, the copy names the node that runs the tests instead. Nothing
 * else changes.
 */
export function verifiableCopy(unitFile: string): string {
  const text = readFileSync(unitFile, 'utf8');
  const copy = join(mkdtempSync(join(tmpdir(), 'qom-unit-')), 'validator.service');
  writeFileSync(copy, existsSync('/usr/bin/node') ? text : text.replaceAll('ExecStart=/usr/bin/node ', `ExecStart=${process.execPath} `));
  return copy;
}

/** `systemd-analyze verify`: exit 0 and not a word of output (it exits 0 on warnings such as an unknown key). */
export function expectVerifyClean(unitFile: string): void {
  const run = spawnSync('systemd-analyze', ['verify', verifiableCopy(unitFile)], { encoding: 'utf8' });
  expect({ status: run.status, output: `${run.stdout}${run.stderr}` }).toEqual({ status: 0, output: '' });
}

/** `systemd-analyze security --offline=true`: the overall exposure, which must be at most EXPOSURE_GOAL. */
export function expectExposureWithinGoal(unitFile: string): number {
  const run = spawnSync('systemd-analyze', ['security', '--offline=true', `--threshold=${EXPOSURE_GOAL * 10}`, '--no-pager', unitFile], { encoding: 'utf8' });
  const exposure = /Overall exposure level for validator\.service: (\d+\.\d)/.exec(run.stdout)?.[1];
  expect(exposure, `${run.stdout}${run.stderr}`).toBeDefined();
  expect(Number(exposure)).toBeLessThanOrEqual(EXPOSURE_GOAL);
  // --threshold makes it exit non-zero above the goal too.
  expect(run.status).toBe(0);
  return Number(exposure);
}
