/** Real damage to real database files: garbage bytes, overwritten pages. Seeded, so every run damages the same way. */
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import Database from 'better-sqlite3';

const PAGE_SIZE = 4096;

/** Deterministic bytes (xorshift32). */
export function noise(length: number, seed = 0x9e3779b9): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** Replaces a file with garbage. */
export function writeGarbage(path: string, length: number, seed?: number): void {
  writeFileSync(path, noise(length, seed));
}

/** Page numbers of the taps table's leaf pages, in key order (the database must be closed cleanly first). */
export function tapLeafPages(path: string): number[] {
  const db = new Database(path, { readonly: true });
  try {
    // dbstat's path orders pages as the b-tree walk visits them, which is seq order for leaves.
    return db
      .prepare<[], { pageno: number }>("SELECT pageno FROM dbstat WHERE name = 'taps' AND pagetype = 'leaf' ORDER BY path")
      .all()
      .map((r) => r.pageno);
  } finally {
    db.close();
  }
}

/** Overwrites whole pages (1-based) with garbage. */
export function overwritePages(path: string, pages: readonly number[]): void {
  const fd = openSync(path, 'r+');
  try {
    for (const page of pages) writeSync(fd, noise(PAGE_SIZE, page), 0, PAGE_SIZE, (page - 1) * PAGE_SIZE);
  } finally {
    closeSync(fd);
  }
}
