/** The journal's schema, as the list of migrations that builds it. Append to the list; never edit a shipped step. */
import type Database from 'better-sqlite3';

export interface Migration {
  /** PRAGMA user_version after this step. */
  readonly version: number;
  readonly description: string;
  up(db: Database.Database): void;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'taps, debit intents and meta',
    up(db) {
      db.exec(`
        CREATE TABLE taps (
          seq INTEGER PRIMARY KEY,
          -- Not UNIQUE: the pipeline's UUID; an index here would cost a random page write on every tap.
          id TEXT NOT NULL,
          time INTEGER NOT NULL,
          utc_offset_minutes INTEGER NOT NULL,
          device TEXT NOT NULL,
          reader TEXT NOT NULL,
          card_uid TEXT NOT NULL,
          card_number TEXT,
          card_counter INTEGER,
          category TEXT,
          result TEXT NOT NULL CHECK (result IN ('accepted', 'rejected', 'unresolved')),
          reason TEXT NOT NULL,
          fare INTEGER NOT NULL,
          balance_before INTEGER,
          balance_after INTEGER,
          transfer INTEGER NOT NULL CHECK (transfer IN (0, 1)),
          route TEXT,
          vehicle TEXT NOT NULL,
          stop TEXT,
          lat_e7 INTEGER,
          lon_e7 INTEGER,
          deny_list_version TEXT NOT NULL,
          fares_version TEXT NOT NULL,
          intent_id TEXT,
          prev_hash TEXT NOT NULL,
          hash TEXT NOT NULL,
          CHECK ((lat_e7 IS NULL) = (lon_e7 IS NULL))
        ) STRICT;

        -- One record per intent at most: the database itself refuses to count a debit twice.
        CREATE UNIQUE INDEX taps_intent ON taps (intent_id) WHERE intent_id IS NOT NULL;

        -- WITHOUT ROWID: the id is the table's own key, one b-tree to write per begin and resolve instead of two.
        CREATE TABLE intents (
          id TEXT PRIMARY KEY,
          created_at INTEGER NOT NULL,
          card_uid TEXT NOT NULL,
          counter_before INTEGER NOT NULL,
          counter_after INTEGER NOT NULL,
          tap TEXT NOT NULL,
          resolved_seq INTEGER,
          resolved_at INTEGER
        ) STRICT, WITHOUT ROWID;

        -- At most one open intent per card: the next presentation must resolve it before another debit.
        CREATE UNIQUE INDEX intents_open_by_card ON intents (card_uid) WHERE resolved_seq IS NULL;

        CREATE TABLE meta (
          key TEXT PRIMARY KEY,
          value TEXT NOT NULL
        ) STRICT;
      `);
    },
  },
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = migrations.reduce((v, m) => Math.max(v, m.version), 0);
