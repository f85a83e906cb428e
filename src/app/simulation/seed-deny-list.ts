import { closeSync, existsSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DenyListDocument } from '../../deny-list/file-deny-list.ts';

/** Writes a file so that a crash leaves the old content or the new, never a mix: temp, fsync, rename, fsync dir. */
export function writeFileDurably(path: string, content: string): void {
  const temp = `${path}.tmp-${process.pid}`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** In simulation, a deny list that names the deny-listed profile's card, unless one is already there. */
export function seedDenyList(path: string, cardNumber: string): void {
  if (existsSync(path)) return;
  const doc: DenyListDocument = { version: 'sim-1', entries: [{ cardNumber, reason: 'reported stolen (simulation)' }] };
  writeFileDurably(path, JSON.stringify(doc, null, 2) + '\n');
}
