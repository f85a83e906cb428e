/** `validator status`: from the running daemon, else from the state directory, judged into one document. */
import type { Paths } from '../paths.ts';
import { readSetup } from './read-setup.ts';
import { looksSimulated } from './state-on-disk.ts';
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

export async function gatherStatus(options: GatherOptions): Promise<StatusDocument> {
  const { paths } = options;
  const setup = await readSetup(paths, options.timeoutMs);
  const common = { paths, config: setup.config, configProblem: setup.configProblem, enrollment: setup.enrollment };
  const now = options.now();
  const gathered =
    setup.daemon !== null
      ? statusFromDaemon({ ...common, report: setup.daemon, now })
      : statusFromDisk({
          ...common,
          enrollmentProblem: setup.enrollmentProblem,
          notRunning: setup.notRunning,
          simulate: options.simulate ?? looksSimulated(paths),
          softwareVersion: options.softwareVersion,
          now,
        });
  return judgeStatus(gathered, now);
}
