/** The filesystem facts the journal acts on: free space, file sizes (directory fsync is the durable-file helper's). */
import { statfsSync, statSync } from 'node:fs';

export interface FreeSpace {
  /** Bytes an unprivileged process may still write (f_bavail × f_bsize). */
  readonly freeBytes: number;
}

/** Free space of the filesystem holding a directory; injectable so that tests can play a full disk. */
export type StatFs = (dir: string) => FreeSpace;

/** The real statfs(2). */
export const systemStatFs: StatFs = (dir) => {
  const s = statfsSync(dir);
  return { freeBytes: s.bavail * s.bsize };
};

/** Size of a file in bytes, 0 when it does not exist. */
export function fileSize(path: string): number {
  return statSync(path, { throwIfNoEntry: false })?.size ?? 0;
}
