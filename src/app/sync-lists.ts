/** Where verified lists from the backend go: the deny list store, and the fare schedule plus a bundle directory kept for restarts. */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import type { DenyListStore } from '../deny-list/deny-list-store.ts';
import { signedListFile } from '../deny-list/verified-list.ts';
import { syncDirectory } from '../fs/durable-file.ts';
import { fareBundleFromDocument } from '../fares/load-fare-bundle.ts';
import { formatProblem } from '../fares/problems.ts';
import { NO_BUNDLE_VERSION } from '../fares/scheduled-fare-policy.ts';
import type { SwappableFarePolicy } from '../fares/swappable-fare-policy.ts';
import type { ListSink } from '../../sync/client/ports.ts';

const SAFE_VERSION = /^[A-Za-z0-9._-]{1,64}$/;

export interface SyncListsOptions {
  readonly stateDir: string;
  /** The fare bundle directory of the state directory (one bundle a subdirectory). */
  readonly faresDir: string;
  readonly denyList: DenyListStore;
  readonly fares: SwappableFarePolicy;
  readonly backendKey: KeyObject;
}

export function syncLists(options: SyncListsOptions): ListSink {
  const { denyList, fares } = options;
  return {
    denyListVersion: () => denyList.version,
    applyDenyList: async (body, signature) => {
      const file = await signedListFile(join(options.stateDir, 'sync-denylist.ndjson.gz'), body, signature, options.backendKey);
      return (await denyList.apply(file)).version;
    },
    faresVersion: () => fares.schedule.bundles.at(-1)?.version ?? NO_BUNDLE_VERSION,
    applyFares: async (body) => {
      let document: unknown;
      try {
        document = JSON.parse(body.toString('utf8'));
      } catch (e) {
        throw new Error(`the fare bundle is not JSON: ${(e as Error).message}`);
      }
      const loaded = fareBundleFromDocument(document);
      if (!loaded.ok) throw new Error(`the fare bundle fails its checks: ${loaded.problems.slice(0, 5).map(formatProblem).join('; ')}`);
      const bundle = loaded.bundle;
      if (!SAFE_VERSION.test(bundle.version)) throw new Error(`fare bundle version "${bundle.version}" cannot name a directory`);
      const next = fares.schedule.with(bundle);
      await writeBundleDir(options.faresDir, bundle.version, document as { files: Record<string, string> });
      fares.replace(next);
      return bundle.version;
    },
  };
}

/** The document as a bundle directory (manifest.json and the files), written whole or not at all. */
async function writeBundleDir(faresDir: string, version: string, document: { files: Record<string, string> }): Promise<void> {
  mkdirSync(faresDir, { recursive: true, mode: 0o700 });
  for (const stale of readdirSync(faresDir).filter((n) => n.startsWith('.incoming-'))) rmSync(join(faresDir, stale), { recursive: true, force: true });
  const temp = join(faresDir, `.incoming-${version}`);
  await mkdir(temp, { recursive: true });
  const { files, ...manifest } = document;
  await writeSynced(join(temp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  for (const [name, text] of Object.entries(files)) {
    if (!/^[A-Za-z0-9_.-]+\.txt$/.test(name)) throw new Error(`fare bundle file name "${name}" is not a plain *.txt name`);
    await writeSynced(join(temp, name), text);
  }
  // The files' names must be durable before the directory takes its name, and the new name after.
  await syncDirectory(temp);
  const target = join(faresDir, version);
  await rm(target, { recursive: true, force: true });
  await rename(temp, target);
  await syncDirectory(faresDir);
}

async function writeSynced(path: string, text: string): Promise<void> {
  await writeFile(path, text, { flush: true });
}
