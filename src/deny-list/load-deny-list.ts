import type { Logger } from '../log/logger.ts';
import type { DenyListPaths } from './deny-list-paths.ts';
import { readDenyListDocument } from './file-deny-list.ts';
import type { OnDisk } from './import-task.ts';
import { LayeredDenyList } from './layered-deny-list.ts';
import { packEntries } from './pack-entries.ts';
import { readSnapshot, sealOf, sealOnDisk } from './snapshot-file.ts';

/** Version of the list a validator has before any import. */
export const NO_LIST_VERSION = 'none';

/**
 * The list a state directory holds, read without changing anything: the snapshot and its overlay; else the
 * first slice's denylist.json; else an empty list of version "none", with a warning. A damaged file throws
 * DenyListError(SnapshotDamaged): a damaged list is never an empty one.
 */
export function loadDenyList(paths: DenyListPaths, now: number, log: Logger): { list: LayeredDenyList; onDisk: OnDisk } {
  const base = readSnapshot(paths.snapshot, 'base');
  const overlaySeal = sealOnDisk(paths.overlay);
  if (base !== null) {
    const baseSeal = sealOf(base.image);
    let overlay = overlaySeal === null ? null : readSnapshot(paths.overlay, 'overlay');
    if (overlay !== null && overlay.meta.baseSeal !== baseSeal) {
      // Left by a crash between writing a new base and removing the overlay it replaced: the base has it all.
      log.warn(`ignoring ${paths.overlay}: it belongs to an earlier snapshot than ${paths.snapshot}`);
      overlay = null;
    }
    const list = new LayeredDenyList(base, overlay);
    log.info(`deny list version ${list.version}: ${list.size} cards`, { snapshot: paths.snapshot, overlayEntries: overlay?.count ?? 0 });
    return { list, onDisk: { base: baseSeal, overlay: overlaySeal } };
  }
  if (overlaySeal !== null) log.warn(`ignoring ${paths.overlay}: there is no ${paths.snapshot} for it to apply to`);
  const onDisk = { base: null, overlay: overlaySeal };
  const legacy = readDenyListDocument(paths.legacyJson);
  if (legacy !== null) {
    const list = new LayeredDenyList(packEntries(legacy.version, legacy.entries, now, 'legacy'), null);
    log.info(`deny list version ${list.version}: ${list.size} cards, from ${paths.legacyJson}`);
    return { list, onDisk };
  }
  log.warn(`no deny list in ${paths.snapshot}: every card passes the deny-list check until one is imported (validator denylist import FILE)`);
  return { list: new LayeredDenyList(packEntries(NO_LIST_VERSION, [], now, 'empty'), null), onDisk };
}
