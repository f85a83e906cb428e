/** `validator status`: from the running daemon, else from the state directory, judged into one document. */
import { callControl } from '../../control/control-client.ts';
import { ErrorCode, isValidatorError } from '../../domain/errors.ts';
import type { Paths } from '../paths.ts';
import type { StatusReport } from '../status-report.ts';
import { defaultConfig, looksSimulated, readConfig, readEnrollmentRecord } from './state-on-disk.ts';
import type { StatusDocument } from './status-document.ts';
import { judgeStatus } from './judge-status.ts';
import { statusFromDaemon } from './status-from-daemon.ts';
import { statusFromDisk } from './status-from-disk.ts';

export interface GatherOptions {
  readonly paths: Paths;
  /** This CLI's version, shown when the daemon cannot say its own. */
  readonly softwareVersion: string;
  /** Without a daemon: whether the state directory is a simulation's; null: guess from it (npm start's sim-cards/). */
  readonly simulate: boolean | null;
  readonly now: () => number;
  /** How long the daemon may take to answer. */
  readonly timeoutMs?: number;
}

/** The daemon's report when it answers; ControlUnavailable (not running, not answering) is the only failure taken as "not running". */
export async function askDaemon(paths: Paths, timeoutMs = 5_000): Promise<{ report: StatusReport } | { notRunning: string }> {
  try {
    return { report: (await callControl(paths.controlSocket, 'status', {}, { timeoutMs })) as StatusReport };
  } catch (e) {
    if (!isValidatorError(e, ErrorCode.ControlUnavailable)) throw e;
    return { notRunning: e.message };
  }
}

export async function gatherStatus(options: GatherOptions): Promise<StatusDocument> {
  const { paths } = options;
  const answer = await askDaemon(paths, options.timeoutMs);
  // The daemon names the config file it runs with; without it, the one this CLI would start it with.
  const inUse = 'report' in answer ? { ...paths, configFile: answer.report.configFile } : paths;
  const config = readConfig(inUse);
  const enrollment = readEnrollmentRecord(paths);
  const common = {
    paths,
    config: config.ok ? config.value : defaultConfig(),
    configProblem: config.ok ? null : config.problem,
    enrollment: enrollment.ok ? enrollment.value : null,
  };
  const now = options.now();
  const gathered =
    'report' in answer
      ? statusFromDaemon({ ...common, report: answer.report, now })
      : statusFromDisk({
          ...common,
          enrollmentProblem: enrollment.ok ? null : enrollment.problem,
          notRunning: answer.notRunning,
          simulate: options.simulate ?? looksSimulated(paths),
          softwareVersion: options.softwareVersion,
          now,
        });
  return judgeStatus(gathered, now);
}
