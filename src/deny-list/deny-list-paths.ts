import { join } from 'node:path';

/** Where the deny list lives in the state directory. */
export interface DenyListPaths {
  /** The base image (packed-image.ts): the whole list as of the last full list or compaction. */
  readonly snapshot: string;
  /** The overlay image: what the deltas since changed. Absent when there were none. */
  readonly overlay: string;
  /** The JSON list of the first slice, read when there is no snapshot yet (file-deny-list.ts). */
  readonly legacyJson: string;
}

export function denyListPaths(stateDir: string): DenyListPaths {
  return {
    snapshot: join(stateDir, 'denylist.snapshot'),
    overlay: join(stateDir, 'denylist.overlay'),
    legacyJson: join(stateDir, 'denylist.json'),
  };
}
