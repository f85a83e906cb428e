import type { DenyListPaths } from './deny-list-paths.ts';
import type { ImportProgressListener } from './import-progress.ts';
import { LayeredDenyList } from './layered-deny-list.ts';
import { compactedBase, deltaOverlay, fullListBase } from './next-list.ts';
import { checkEntries, openImage } from './packed-image.ts';
import { PackedLayer } from './packed-layer.ts';
import { readImport } from './read-import.ts';
import { removeSnapshot, sealOf, sealOnDisk, writeSnapshot } from './snapshot-file.ts';

/** What an import did. */
export interface ImportSummary {
  /** False when the file was a delta to the version already in force: nothing to do. */
  readonly applied: boolean;
  readonly kind: 'full' | 'delta';
  readonly version: string;
  readonly previousVersion: string;
  /** Cards listed now. */
  readonly entries: number;
  /** Cards listed now that were not before, and cards no longer listed. */
  readonly added: number;
  readonly removed: number;
  /** SHA-256 of the file as read (compressed or not), hex; empty when nothing was applied. */
  readonly sha256: string;
}

/** The seals of the image files on disk (null: no file); a write refuses when they are not these. */
export interface OnDisk {
  readonly base: string | null;
  readonly overlay: string | null;
}

/** One piece of work on the list, done off the main thread: the list in force is shared, not copied. */
export interface ImportTask {
  readonly work: { readonly kind: 'import'; readonly file: string } | { readonly kind: 'compact' };
  readonly base: SharedArrayBuffer;
  readonly overlay: SharedArrayBuffer | null;
  readonly now: number;
  readonly paths: DenyListPaths;
  readonly onDisk: OnDisk;
}

/** The list after the task, already on disk; summary null for a compaction. */
export interface TaskResult {
  readonly summary: ImportSummary | null;
  readonly base: SharedArrayBuffer;
  readonly overlay: SharedArrayBuffer | null;
  readonly onDisk: OnDisk;
}

/**
 * Builds the next list and writes it durably, without touching the list in force. The order of the writes
 * keeps every crash point loadable: a new base is written before the old overlay is removed (an overlay
 * whose base seal is not the base's is ignored at start), and a base that was never on disk (the first
 * slice's JSON list) is written before an overlay that names it.
 */
export async function runTask(task: ImportTask, _signal?: AbortSignal, onProgress?: ImportProgressListener): Promise<TaskResult> {
  const current = new LayeredDenyList(
    new PackedLayer(task.base, 'the list in force'),
    task.overlay === null ? null : new PackedLayer(task.overlay, 'the list in force'),
  );
  const { paths, now } = task;
  if (task.work.kind === 'compact') return newBase(task, compactedBase(current, now), null);

  const read = await readImport(task.work.file, current.version, onProgress);
  if (read === null) {
    const summary = { applied: false, kind: 'delta', version: current.version, previousVersion: current.version, entries: current.size, added: 0, removed: 0, sha256: '' } as const;
    return { summary, base: task.base, overlay: task.overlay, onDisk: task.onDisk };
  }
  onProgress?.({ phase: 'building', done: read.header.count, total: read.header.count });
  const facts = { kind: read.header.kind, version: read.header.version, previousVersion: current.version, sha256: read.facts.sha256 };
  if (read.header.kind === 'full') {
    const next = fullListBase(current, read, now);
    const entries = read.sorted.size;
    return newBase(task, next.image, { applied: true, ...facts, entries, added: next.added, removed: next.removed });
  }

  const baseSeal = sealOf(task.base);
  const next = deltaOverlay(current, read, now, baseSeal);
  checked(next.image);
  // A base never written (the first slice's JSON list) goes to disk before an overlay names it; a retry
  // after a failed overlay write finds it there already.
  if (task.onDisk.base === null && sealOnDisk(paths.snapshot) !== baseSeal) writeSnapshot(paths.snapshot, task.base, null);
  writeSnapshot(paths.overlay, next.image, task.onDisk.overlay);
  const entries = current.size + next.added - next.removed;
  return {
    summary: { applied: true, ...facts, entries, added: next.added, removed: next.removed },
    base: task.base,
    overlay: next.image,
    onDisk: { base: baseSeal, overlay: sealOf(next.image) },
  };
}

function newBase(task: ImportTask, image: SharedArrayBuffer, summary: ImportSummary | null): TaskResult {
  checked(image);
  writeSnapshot(task.paths.snapshot, image, task.onDisk.base);
  // The new base is in force from here. An old overlay that cannot be removed is harmless (its base seal
  // is not this base's, so a start ignores it) and the next delta overwrites it.
  let overlay: string | null = null;
  try {
    removeSnapshot(task.paths.overlay);
  } catch {
    overlay = sealOnDisk(task.paths.overlay);
  }
  return { summary, base: image, overlay: null, onDisk: { base: sealOf(image), overlay } };
}

/** A built image gets the same structural check as one read from disk before it may serve taps. */
function checked(image: SharedArrayBuffer): void {
  checkEntries(openImage(image, 'the new list'), 'the new list');
}
