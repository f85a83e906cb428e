/** The journal's figures, read the same way by the daemon's journal and the read-only one. */
import type Database from 'better-sqlite3';
import { fileSize } from './disk.ts';
import type { IntentStore } from './intent-store.ts';
import { MetaKey, type Meta } from './meta.ts';
import { schemaVersion } from './migrate.ts';
import type { TapStore } from './tap-store.ts';
import type { JournalStats } from './types.ts';

/** JournalStats without the free space, which is the filesystem's (the daemon's journal adds it). */
export type StoredStats = Omit<JournalStats, 'freeBytes'>;

/** What the database at `path` holds: its head, counts, sync position, size on disk (WAL included) and schema. */
export function storedStats(db: Database.Database, path: string, stores: { taps: TapStore; intents: IntentStore; meta: Meta }): StoredStats {
  const head = stores.taps.head();
  return {
    path,
    lastSeq: head.seq,
    lastHash: head.hash,
    records: stores.taps.count(),
    openIntents: stores.intents.openCount(),
    syncedThrough: stores.meta.int(MetaKey.SyncedThrough, 0),
    sizeBytes: fileSize(path) + fileSize(`${path}-wal`),
    schemaVersion: schemaVersion(db),
  };
}
