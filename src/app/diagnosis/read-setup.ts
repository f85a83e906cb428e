/** What status and selftest find out before anything else: whether the daemon answers, and the config and enrollment in use. */
import type { Enrollment } from '../../../sync/client/enrollment.ts';
import type { Config } from '../../config/schema.ts';
import { askDaemon } from '../daemon-running.ts';
import type { Paths } from '../paths.ts';
import type { StatusReport } from '../status-report.ts';
import { defaultConfig, readConfig, readEnrollmentRecord } from './state-on-disk.ts';

export type Setup = {
  /** The paths with the config file in use: the one the daemon names, else the one this CLI would start it with. */
  readonly inUse: Paths;
  /** The config in use; the schema's defaults when it is refused (configProblem says why). */
  readonly config: Config;
  readonly configProblem: string | null;
  /** The enrollment record; null when not enrolled or unreadable (enrollmentProblem says which). */
  readonly enrollment: Enrollment | null;
  readonly enrollmentProblem: string | null;
} & (
  // The daemon's report, or why none answered.
  { readonly daemon: StatusReport; readonly notRunning: null } | { readonly daemon: null; readonly notRunning: string }
);

/** Asks the daemon (waiting up to `timeoutMs`), then reads the config it runs with and the enrollment record; changes nothing. */
export async function readSetup(paths: Paths, timeoutMs?: number): Promise<Setup> {
  const answer = await askDaemon(paths.controlSocket, timeoutMs);
  const running = 'report' in answer ? { daemon: answer.report, notRunning: null } : { daemon: null, notRunning: answer.notRunning };
  const inUse = running.daemon ? { ...paths, configFile: running.daemon.configFile } : paths;
  const config = readConfig(inUse);
  const enrollment = readEnrollmentRecord(paths);
  return {
    ...running,
    inUse,
    config: config.ok ? config.value : defaultConfig(),
    configProblem: config.ok ? null : config.problem,
    enrollment: enrollment.ok ? enrollment.value : null,
    enrollmentProblem: enrollment.ok ? null : enrollment.problem,
  };
}
