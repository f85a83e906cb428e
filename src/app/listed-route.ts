/** Whether the fare bundles know a route: one they do not list pays only their network-less fares. */
import type { Config } from '../config/schema.ts';
import type { FareBundle } from '../fares/fare-bundle.ts';
import { loadFareBundleDir } from '../fares/read-bundle-dir.ts';
import { configuredFareBundleDirs } from './fare-bundle-dirs.ts';
import type { Paths } from './paths.ts';

/** The bundles the daemon would price with (fares.bundle, else those in the state directory) that load; [] when none. */
export function bundlesInUse(config: Config, paths: Paths): FareBundle[] {
  return configuredFareBundleDirs(config, paths).flatMap((dir) => {
    const loaded = loadFareBundleDir(dir);
    return loaded.ok ? [loaded.bundle] : [];
  });
}

/** Why `route` is not a listed route of `bundles`; null when one lists it, or none lists any route. */
export function unlistedRouteProblem(route: string, bundles: readonly FareBundle[]): string | null {
  const listing = bundles.filter((b) => b.routes.size > 0);
  if (listing.length === 0 || listing.some((b) => b.routes.has(route))) return null;
  const newest = listing.at(-1)!;
  const some = [...newest.routes].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const shown = some.length > 12 ? `${some.slice(0, 12).join(', ')}, …` : some.join(', ');
  return `route ${route} is in no fare bundle's route_networks.txt (${newest.version} lists ${shown}): taps on it would pay only the fares that name no network`;
}
