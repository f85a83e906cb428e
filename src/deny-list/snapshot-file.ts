import { closeSync, fstatSync, fsyncSync, openSync, readdirSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Logger } from '../log/logger.ts';
import type { DenyListPaths } from './deny-list-paths.ts';
import { DenyListError, DenyListProblem } from './deny-list-error.ts';
import { sealIsIntact } from './image-builder.ts';
import { checkEntries, HASH_BYTES, openImage, type ImageMeta } from './packed-image.ts';
import { PackedLayer } from './packed-layer.ts';

/**
 * Reads an image file (the base or the overlay) into shared memory and checks its seal and structure; null
 * when there is none. A damaged file throws DenyListError(SnapshotDamaged): starting without its entries
 * would let deny-listed cards ride.
 */
export function readSnapshot(path: string, layer: ImageMeta['layer']): PackedLayer | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new DenyListError(DenyListProblem.SnapshotDamaged, `cannot read deny-list snapshot ${path}: ${(e as Error).message}`, { cause: e });
  }
  let image: SharedArrayBuffer;
  try {
    const size = fstatSync(fd).size;
    image = new SharedArrayBuffer(size);
    const bytes = new Uint8Array(image);
    for (let at = 0; at < size; ) {
      const n = readSync(fd, bytes, at, size - at, at);
      if (n === 0) throw new Error(`ends at byte ${at} of ${size}`);
      at += n;
    }
  } catch (e) {
    throw new DenyListError(DenyListProblem.SnapshotDamaged, `cannot read deny-list snapshot ${path}: ${(e as Error).message}`, { cause: e });
  } finally {
    closeSync(fd);
  }
  if (!sealIsIntact(image)) {
    throw new DenyListError(
      DenyListProblem.SnapshotDamaged,
      `deny-list snapshot ${path} is damaged (its SHA-256 does not match). The validator will not run without its entries: ` +
        'move it aside and import the current full list with "validator denylist import FILE"',
    );
  }
  const views = openImage(image, path);
  if (views.meta.layer !== layer) {
    throw new DenyListError(DenyListProblem.SnapshotDamaged, `${path} holds the deny list's ${views.meta.layer} layer where its ${layer} belongs`);
  }
  checkEntries(views, path);
  return new PackedLayer(image, path);
}

/** The seal (last 32 bytes, hex) of an image file on disk, or null when there is none. */
export function sealOnDisk(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new DenyListError(DenyListProblem.SnapshotDamaged, `cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    const size = fstatSync(fd).size;
    if (size < HASH_BYTES) return '';
    const seal = Buffer.alloc(HASH_BYTES);
    readSync(fd, seal, 0, HASH_BYTES, size - HASH_BYTES);
    return seal.toString('hex');
  } catch (e) {
    throw new DenyListError(DenyListProblem.SnapshotDamaged, `cannot read ${path}: ${(e as Error).message}`, { cause: e });
  } finally {
    closeSync(fd);
  }
}

/** The seal of an image in memory, hex. */
export function sealOf(image: SharedArrayBuffer): string {
  return Buffer.from(new Uint8Array(image, image.byteLength - HASH_BYTES)).toString('hex');
}

/**
 * Removes temp files a killed writer left beside the images (`<image>.tmp-<pid>`), when that process is gone:
 * 33 MB each for a 10-million-card base.
 */
export function removeOrphanTempFiles(paths: DenyListPaths, log: Logger): void {
  const dir = dirname(paths.snapshot);
  const names = new Set([basename(paths.snapshot), basename(paths.overlay)]);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    const m = /^(.+)\.tmp-(\d+)$/.exec(name);
    if (!m || !names.has(m[1] ?? '') || processAlive(Number(m[2]))) continue;
    try {
      unlinkSync(join(dir, name));
      log.info(`removed ${name}, left by an import that did not finish`);
    } catch (e) {
      log.warn(`cannot remove ${join(dir, name)}: ${(e as Error).message}`);
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes an image file, durably (an overlay folded into a new base); nothing when there is none. */
export function removeSnapshot(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new DenyListError(DenyListProblem.WriteFailed, `cannot remove ${path}: ${(e as Error).message}`, { cause: e });
  }
  syncDirectory(path);
}

function syncDirectory(path: string): void {
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/**
 * Replaces an image file so that a crash leaves the old one or the new one: temp file, fsync, rename,
 * fsync of the directory. Refuses (ChangedOnDisk) when the snapshot on disk is no longer `expectedSeal`
 * (null: no snapshot), which means another process imported a list since this one loaded it.
 */
export function writeSnapshot(path: string, image: SharedArrayBuffer, expectedSeal: string | null): void {
  const onDisk = sealOnDisk(path);
  if (onDisk !== expectedSeal) {
    throw new DenyListError(
      DenyListProblem.ChangedOnDisk,
      `${path} changed since this process loaded the deny list (an import by another process?): restart the validator, then import again`,
    );
  }
  const temp = `${path}.tmp-${process.pid}`;
  try {
    const fd = openSync(temp, 'w', 0o600);
    try {
      const bytes = new Uint8Array(image);
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, Math.min(bytes.length - at, 1 << 24));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    syncDirectory(path);
  } catch (e) {
    try {
      unlinkSync(temp);
    } catch {
      // Already renamed, or never made: nothing to clean.
    }
    throw new DenyListError(
      DenyListProblem.WriteFailed,
      `cannot write ${path}: ${(e as Error).message}. The list in force stays; free disk space or fix permissions and import again`,
      { cause: e },
    );
  }
}
