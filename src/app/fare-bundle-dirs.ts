/** The fare bundle directories the daemon schedules, and those the backend left in the state directory's fares/ (src/app/sync-lists.ts writes them). */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/schema.ts';
import { ErrorCode, ValidatorError } from '../domain/errors.ts';
import { MANIFEST_FILE } from '../fares/read-bundle-dir.ts';
import { PACKAGE_ROOT } from './package-root.ts';
import type { Paths } from './paths.ts';

/** The sample Qom bundle in this checkout (fares/qom-1404), for simulation. */
const SAMPLE_FARE_BUNDLE = join(PACKAGE_ROOT, 'fares', 'qom-1404');

/**
 * The fare bundles to schedule: the configured one; else those in the state directory's fares/ (one bundle,
 * or one bundle a subdirectory: the one in force and those still to come, each taking over at its
 * effectiveFrom); else, in simulation, the sample.
 */
export function fareBundleDirs(config: Config, paths: Paths, simulate: boolean): string[] {
  const dirs = configuredFareBundleDirs(config, paths);
  if (dirs.length > 0) return dirs;
  if (simulate) return [SAMPLE_FARE_BUNDLE];
  throw new ValidatorError(
    ErrorCode.ConfigInvalid,
    `no fare bundle: none in ${paths.fareBundle} yet, and fares.bundle is not set. Set fares.bundle to a GTFS-Fares v2 bundle directory (check it with: validator fares check DIR)`,
  );
}

/** fares.bundle when set, else the bundles in the state directory's fares/; [] when there are none (no sample fallback). */
export function configuredFareBundleDirs(config: Config, paths: Paths): string[] {
  if (config.fares.bundle !== null) return [config.fares.bundle];
  // A bundle half-written when the power went (.incoming-*) is not among them.
  return bundleDirsIn(paths.fareBundle);
}

/** fares/ itself when it is one bundle, else its subdirectories that are bundles, oldest version first; [] when none. */
export function bundleDirsIn(faresDir: string): string[] {
  if (existsSync(join(faresDir, MANIFEST_FILE))) return [faresDir];
  if (!existsSync(faresDir)) return [];
  return readdirSync(faresDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.') && existsSync(join(faresDir, d.name, MANIFEST_FILE)))
    .map((d) => join(faresDir, d.name))
    .sort();
}
