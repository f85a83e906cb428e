/** Moves a damaged journal aside, never deleting it: its taps are money and may still be exported. */
import { existsSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { syncDirectorySync } from '../fs/durable-file.ts';

// The -wal and -shm files keep their suffix after the new name, so that SQLite opening the moved
// database still finds its WAL (which may hold the newest commits) when readDamagedJournal reads it.
// The main file goes last: should a rename fail halfway, a WAL must never be left beside the fresh
// database that replaces it, because SQLite would replay it into that database.
const companions = ['-wal', '-shm', '-journal', ''] as const;

/** Renames `<db>`, `<db>-wal`, `<db>-shm` to `<db>.corrupt-<UTC timestamp>[-wal|-shm]`; returns the new db path. */
export function moveAside(path: string, now: number): string {
  const aside = freeName(`${path}.corrupt-${utcStamp(now)}`);
  for (const suffix of companions) {
    if (existsSync(path + suffix)) renameSync(path + suffix, aside + suffix);
  }
  syncDirectorySync(dirname(path));
  return aside;
}

/** 2025-03-01T12:30:05.123Z → 20250301T123005Z. */
export function utcStamp(now: number): string {
  return new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

function freeName(base: string): string {
  const taken = (name: string): boolean => companions.some((s) => existsSync(name + s));
  if (!taken(base)) return base;
  for (let n = 2; ; n++) {
    if (!taken(`${base}-${n}`)) return `${base}-${n}`;
  }
}
