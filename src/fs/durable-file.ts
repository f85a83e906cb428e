/**
 * Writing a file so that a power cut leaves the old content or the new, never a mix and never nothing: a
 * temp file in the same directory, fsync, rename over the name, fsync of the directory (the rename itself
 * is only durable once the directory is). Imports nothing but node:fs, so every layer but the domain may
 * use it.
 */
import { closeSync, fchmodSync, fchownSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

export interface FileOwner {
  readonly uid: number;
  readonly gid: number;
}

export interface DurableWriteOptions {
  /** Permission bits, set explicitly (the umask does not apply). */
  readonly mode: number;
  /** Given to the file before it takes its name (root provisioning for the service's user); absent: as created. */
  readonly owner?: FileOwner | null;
}

/** Replaces `path` with `data`, durably (see above). */
export async function writeFileDurably(path: string, data: string | Uint8Array, options: DurableWriteOptions): Promise<void> {
  const temp = tempName(path);
  try {
    const file = await open(temp, 'wx', options.mode);
    try {
      await file.chmod(options.mode);
      if (options.owner) await file.chown(options.owner.uid, options.owner.gid);
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
  await syncDirectory(dirname(path));
}

/** writeFileDurably for synchronous callers (the CLI, key files read and made at start). */
export function writeFileDurablySync(path: string, data: string | Uint8Array, options: DurableWriteOptions): void {
  const temp = tempName(path);
  try {
    const fd = openSync(temp, 'wx', options.mode);
    try {
      fchmodSync(fd, options.mode);
      if (options.owner) fchownSync(fd, options.owner.uid, options.owner.gid);
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
  syncDirectorySync(dirname(path));
}

/** Makes the directory's entries (names created, renamed, removed) durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** syncDirectory for synchronous callers. */
export function syncDirectorySync(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Beside the target (a rename across file systems is not atomic), unique, and recognisable as ours. */
function tempName(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}
