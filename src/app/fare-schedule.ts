/** The fare schedule the daemon prices with, built from bundle directories the same way wherever it is needed. */
import type { Config } from '../config/schema.ts';
import type { Clock } from '../domain/time.ts';
import { requireBundle } from '../fares/load-fare-bundle.ts';
import { loadFareBundleDir } from '../fares/read-bundle-dir.ts';
import { ScheduledFarePolicy } from '../fares/scheduled-fare-policy.ts';

/** Loads and checks each bundle in `dirs` (throwing for the first that does not load) and schedules them under the config's fare settings. */
export function fareSchedule(dirs: readonly string[], config: Config, clock: Clock): ScheduledFarePolicy {
  return new ScheduledFarePolicy(
    dirs.map((dir) => requireBundle(loadFareBundleDir(dir), dir)),
    { repeatWindowMs: config.fares.repeatWindowSeconds * 1000, negativeAllowance: config.fares.negativeAllowance },
    clock,
  );
}
