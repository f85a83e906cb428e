/** One line of `validator selftest`: a device or a file, and whether it passed, with what to do when it did not. */
import type { Config } from '../../config/schema.ts';
import type { Enrollment } from '../../../sync/client/enrollment.ts';
import type { Paths } from '../paths.ts';
import type { StatusReport } from '../status-report.ts';

export type Verdict = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  /** What was checked: "config", "device key", "reader front"… */
  readonly name: string;
  readonly verdict: Verdict;
  /** What was found. */
  readonly detail: string;
  /** What to do: always on a failure, sometimes on a skip (how to run the check after all). */
  readonly fix: string | null;
}

/** What every check may use; `measured` is filled in by the checks that measure the clock. */
export interface SelftestContext {
  readonly paths: Paths;
  /** The config the daemon runs (or would start) with; the defaults when the file is refused (the config check fails). */
  readonly config: Config;
  readonly configProblem: string | null;
  /** The running daemon's report; null when it is not running, and then devices are opened directly. */
  readonly daemon: StatusReport | null;
  readonly mode: 'simulation' | 'hardware';
  readonly enrollment: Enrollment | null;
  readonly enrollmentProblem: string | null;
  /** How long a device (reader, GPS, display) or the backend may take to answer. */
  readonly timeoutMs: number;
  readonly measured: { backendClockErrorMs: number | null; gpsClockErrorMs: number | null };
  /** What a check read that a later one needs, so nothing is read twice: the deny list's version on disk (checkDenyList). */
  readonly found: { denyListVersion: string | null };
}

/** A check: one or more lines (one a door for readers and displays). */
export type Check = (ctx: SelftestContext) => Promise<readonly CheckResult[]> | readonly CheckResult[];

export function pass(name: string, detail: string): CheckResult {
  return { name, verdict: 'pass', detail, fix: null };
}

export function fail(name: string, detail: string, fix: string): CheckResult {
  return { name, verdict: 'fail', detail, fix };
}

export function skip(name: string, detail: string, fix: string | null = null): CheckResult {
  return { name, verdict: 'skip', detail, fix };
}

/** "(from the running validator)": said on every line whose result the daemon gave. */
export const FROM_DAEMON = 'from the running validator, which holds the device';
