/** `validator selftest`: every check in order, each result handed on as it comes (device checks take seconds). */
import { readSetup } from '../diagnosis/read-setup.ts';
import { looksSimulated } from '../diagnosis/state-on-disk.ts';
import type { Paths } from '../paths.ts';
import { checkBackend, checkClock } from './check-backend.ts';
import { checkConfig } from './check-config.ts';
import { checkDisplays } from './check-displays.ts';
import { checkGps } from './check-gps.ts';
import { checkCardKeys, checkDeviceKey, checkEnrollment } from './check-identity.ts';
import { checkDenyList, checkFares } from './check-lists.ts';
import { checkReaders } from './check-readers.ts';
import { checkJournal, checkStateDir } from './check-storage.ts';
import type { Check, CheckResult, SelftestContext } from './check.ts';

/** In this order: files first, then the devices, then the backend and the clock it measures. */
const CHECKS: readonly Check[] = [
  checkConfig,
  checkStateDir,
  checkJournal,
  checkDeviceKey,
  checkEnrollment,
  checkCardKeys,
  checkDenyList,
  checkFares,
  checkReaders,
  checkDisplays,
  checkGps,
  checkBackend,
  checkClock,
];

export interface SelftestOptions {
  readonly paths: Paths;
  /** Without a daemon: whether this is a simulation; null: guess from the state directory (npm start's sim-cards/). */
  readonly simulate: boolean | null;
  readonly timeoutMs: number;
}

/** What the run found out before the checks: printed first, so the lines after it read right. */
export interface SelftestSetup {
  readonly running: boolean;
  readonly pid: number | null;
  readonly mode: 'simulation' | 'hardware';
  /** Why no daemon answered; null when one did. */
  readonly notRunning: string | null;
}

export async function runSelftest(options: SelftestOptions, onSetup: (s: SelftestSetup) => void, onResult: (r: CheckResult) => void): Promise<CheckResult[]> {
  const { paths } = options;
  const { daemon, inUse, config, configProblem, enrollment, enrollmentProblem, notRunning } = await readSetup(paths);
  const ctx: SelftestContext = {
    paths: inUse,
    config,
    configProblem,
    daemon,
    mode: daemon?.mode ?? ((options.simulate ?? looksSimulated(paths)) ? 'simulation' : 'hardware'),
    enrollment,
    enrollmentProblem,
    timeoutMs: options.timeoutMs,
    measured: { backendClockErrorMs: null, gpsClockErrorMs: null },
    found: { denyListVersion: null },
  };
  onSetup({ running: daemon !== null, pid: daemon?.pid ?? null, mode: ctx.mode, notRunning });
  const results: CheckResult[] = [];
  for (const check of CHECKS) {
    for (const result of await check(ctx)) {
      results.push(result);
      onResult(result);
    }
  }
  return results;
}
