/** The fare bundles the backend left in the state directory's fares/ (src/app/sync-lists.ts writes them). */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST_FILE } from '../fares/read-bundle-dir.ts';

/** fares/ itself when it is one bundle, else its subdirectories that are bundles, oldest version first; [] when none. */
export function bundleDirsIn(faresDir: string): string[] {
  if (existsSync(join(faresDir, MANIFEST_FILE))) return [faresDir];
  if (!existsSync(faresDir)) return [];
  return readdirSync(faresDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.') && existsSync(join(faresDir, d.name, MANIFEST_FILE)))
    .map((d) => join(faresDir, d.name))
    .sort();
}
