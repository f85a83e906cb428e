import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileFareBundle, type LoadResult } from './load-fare-bundle.ts';
import { Problems } from './problems.ts';

export const MANIFEST_FILE = 'manifest.json';

/**
 * Loads a bundle directory: manifest.json and every *.txt file in it (other files, such as a README, and
 * subdirectories are not part of the bundle). Unreadable files and bad JSON are problems like any other.
 */
export function loadFareBundleDir(dir: string): LoadResult {
  const problems = new Problems();
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name);
  } catch (e) {
    problems.add(dir, 0, `cannot read the directory: ${(e as Error).message}`);
    return { ok: false, problems: problems.sorted() };
  }
  const files: Record<string, string> = {};
  for (const name of names.filter((n) => n.endsWith('.txt'))) {
    try {
      files[name] = readFileSync(join(dir, name), 'utf8');
    } catch (e) {
      problems.add(name, 0, `cannot read: ${(e as Error).message}`);
    }
  }
  let manifest: unknown = undefined;
  if (!names.includes(MANIFEST_FILE)) problems.add(MANIFEST_FILE, 0, 'missing: version, effectiveFrom, currency and timezone go there');
  else {
    try {
      manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8'));
    } catch (e) {
      problems.add(MANIFEST_FILE, 0, `not valid JSON: ${(e as Error).message}`);
    }
  }
  return compileFareBundle(manifest, files, MANIFEST_FILE, problems);
}
