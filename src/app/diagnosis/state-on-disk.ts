/**
 * What the state directory and the config say without the daemon: status and selftest read them the way the
 * daemon would at start, through the same loaders, and change nothing.
 */
import { existsSync } from 'node:fs';
import { loadConfigFile, parseConfig } from '../../config/load-config.ts';
import type { Config } from '../../config/schema.ts';
import { denyListPaths } from '../../deny-list/deny-list-paths.ts';
import { loadDenyList } from '../../deny-list/load-deny-list.ts';
import { describeError } from '../../domain/errors.ts';
import { systemClock } from '../../domain/time.ts';
import { silentLogger } from '../../log/logger.ts';
import { readEnrollment, type Enrollment } from '../../../sync/client/enrollment.ts';
import { fareFacts, type FareFacts } from '../list-facts.ts';
import type { Paths } from '../paths.ts';
import { fareBundleDirs } from '../fare-bundle-dirs.ts';
import { fareSchedule } from '../fare-schedule.ts';
import { enrollmentFile } from '../start-sync.ts';

/** A value, or why it could not be had. */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

function attempt<T>(f: () => T): Outcome<T> {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    return { ok: false, problem: describeError(e) };
  }
}

/** The config the daemon would run with: the file's, or the schema's defaults when there is no file. */
export function readConfig(paths: Paths): Outcome<Config> {
  return attempt(() => (paths.configFile ? loadConfigFile(paths.configFile) : parseConfig({}, 'the built-in defaults')));
}

/** The defaults, for reading on when the config file is refused (its problem is reported on its own). */
export function defaultConfig(): Config {
  return parseConfig({}, 'the built-in defaults');
}

/** The enrollment record, or null when the device is not enrolled. */
export function readEnrollmentRecord(paths: Paths): Outcome<Enrollment | null> {
  return attempt(() => readEnrollment(enrollmentFile(paths)));
}

/**
 * npm start's state directory holds the simulated cards: without a daemon to ask, that is how status and
 * selftest know the validator there runs in simulation.
 */
export function looksSimulated(paths: Paths): boolean {
  return existsSync(paths.simCards);
}

export interface DenyListFacts {
  readonly version: string;
  readonly entries: number;
  readonly appliedAt: number | null;
}

/** The deny list the daemon would load at start, its seal checked (a damaged file is a problem, never an empty list). */
export function readDenyListFacts(stateDir: string): Outcome<DenyListFacts> {
  return attempt(() => {
    const { list } = loadDenyList(denyListPaths(stateDir), systemClock.now(), silentLogger);
    return { version: list.version, entries: list.size, appliedAt: list.appliedAt };
  });
}

/** The fare bundles the daemon would schedule at start, each loaded and checked, and the one in force at `now`. */
export function readFareFacts(config: Config, paths: Paths, simulate: boolean, now: number): Outcome<FareFacts> {
  return attempt(() => {
    const schedule = fareSchedule(fareBundleDirs(config, paths, simulate), config, systemClock);
    return fareFacts(schedule, now);
  });
}
