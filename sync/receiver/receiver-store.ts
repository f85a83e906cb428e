/**
 * The reference receiver's storage: one SQLite file (WAL, synchronous=FULL). Devices and their keys,
 * one-time enrollment codes, taps by (device, seq), the deny list's entries and every published list file,
 * fare bundles, and each device's last heartbeat. The server and the admin commands open the same file.
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS devices (
  device_id TEXT PRIMARY KEY,
  public_key TEXT NOT NULL,
  enrolled_at INTEGER NOT NULL,
  acked_through INTEGER NOT NULL DEFAULT 0,
  last_hash TEXT NOT NULL,
  status TEXT,
  status_at INTEGER
) STRICT;
CREATE TABLE IF NOT EXISTS codes (
  code TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  used_at INTEGER,
  used_by TEXT
) STRICT;
CREATE TABLE IF NOT EXISTS taps (
  device_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  record TEXT NOT NULL,
  source TEXT NOT NULL,
  PRIMARY KEY (device_id, seq)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS deny_entries (
  card TEXT PRIMARY KEY,
  reason TEXT NOT NULL,
  action TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS deny_lists (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  version TEXT NOT NULL,
  kind TEXT NOT NULL,
  base_version TEXT,
  body BLOB NOT NULL,
  signature TEXT NOT NULL,
  published_at INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS fare_bundles (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  version TEXT NOT NULL UNIQUE,
  body BLOB NOT NULL,
  signature TEXT NOT NULL,
  published_at INTEGER NOT NULL
) STRICT;
`;

export interface DeviceRow {
  readonly deviceId: string;
  readonly publicKey: string;
  readonly ackedThrough: number;
  readonly lastHash: string;
}

export interface SignedFile {
  readonly version: string;
  readonly body: Buffer;
  readonly signature: string;
}

export interface StoredTap {
  readonly seq: number;
  readonly hash: string;
  readonly record: string;
}

/** The receiver's database. Every write is one transaction. */
export class ReceiverStore {
  readonly db: Database.Database;

  constructor(path: string) {
    this.db = new Database(path, { timeout: 5_000 });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(SCHEMA);
  }

  close(): void {
    this.db.close();
  }

  /** A new one-time enrollment code (16 random bytes, base32-like hex groups a technician can type). */
  issueCode(now: number): string {
    const code = randomBytes(10).toString('hex').toUpperCase().match(/.{4}/g)?.join('-') ?? '';
    this.db.prepare('INSERT INTO codes (code, created_at) VALUES (?, ?)').run(code, now);
    return code;
  }

  /** Uses a code for a device and records its key; false when the code is unknown or used. */
  enroll(code: string, deviceId: string, publicKey: string, genesisHash: string, now: number): boolean {
    return this.db.transaction(() => {
      const used = this.db.prepare('UPDATE codes SET used_at = ?, used_by = ? WHERE code = ? AND used_at IS NULL').run(now, deviceId, code);
      if (used.changes !== 1) return false;
      this.db
        .prepare(
          `INSERT INTO devices (device_id, public_key, enrolled_at, last_hash) VALUES (?, ?, ?, ?)
           ON CONFLICT (device_id) DO UPDATE SET public_key = excluded.public_key, enrolled_at = excluded.enrolled_at`,
        )
        .run(deviceId, publicKey, now, genesisHash);
      return true;
    }).immediate();
  }

  device(deviceId: string): DeviceRow | undefined {
    return this.db
      .prepare<[string], DeviceRow>('SELECT device_id AS deviceId, public_key AS publicKey, acked_through AS ackedThrough, last_hash AS lastHash FROM devices WHERE device_id = ?')
      .get(deviceId);
  }

  /** Stored taps of a device with seq in [from, to], ascending. */
  taps(deviceId: string, from: number, to: number): StoredTap[] {
    return this.db
      .prepare<[string, number, number], StoredTap>('SELECT seq, hash, record FROM taps WHERE device_id = ? AND seq BETWEEN ? AND ? ORDER BY seq')
      .all(deviceId, from, to);
  }

  /** Runs `fn` in one immediate transaction. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  insertTaps(deviceId: string, rows: readonly StoredTap[], source: string): void {
    const insert = this.db.prepare('INSERT INTO taps (device_id, seq, hash, record, source) VALUES (?, ?, ?, ?, ?)');
    for (const r of rows) insert.run(deviceId, r.seq, r.hash, r.record, source);
    const last = rows.at(-1);
    if (last) this.db.prepare('UPDATE devices SET acked_through = ?, last_hash = ? WHERE device_id = ?').run(last.seq, last.hash, deviceId);
  }

  saveStatus(deviceId: string, status: string, now: number): void {
    this.db.prepare('UPDATE devices SET status = ?, status_at = ? WHERE device_id = ?').run(status, now, deviceId);
  }

  lastStatus(deviceId: string): { status: string | null; statusAt: number | null } | undefined {
    return this.db
      .prepare<[string], { status: string | null; statusAt: number | null }>('SELECT status, status_at AS statusAt FROM devices WHERE device_id = ?')
      .get(deviceId);
  }

  /** The deny list to send a device at `since`: a delta on it, else the newest full list. */
  denyListFor(since: string): SignedFile | undefined {
    const delta = this.db
      .prepare<[string], SignedFile>("SELECT version, body, signature FROM deny_lists WHERE kind = 'delta' AND base_version = ? ORDER BY id LIMIT 1")
      .get(since);
    return delta ?? this.db.prepare<[], SignedFile>("SELECT version, body, signature FROM deny_lists WHERE kind = 'full' ORDER BY id DESC LIMIT 1").get();
  }

  latestDenyListVersion(): string | null {
    return this.db.prepare<[], { version: string }>('SELECT version FROM deny_lists ORDER BY id DESC LIMIT 1').get()?.version ?? null;
  }

  saveDenyList(file: SignedFile & { kind: 'full' | 'delta'; baseVersion: string | null }, now: number): void {
    this.db
      .prepare('INSERT INTO deny_lists (version, kind, base_version, body, signature, published_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(file.version, file.kind, file.baseVersion, file.body, file.signature, now);
  }

  latestFareBundle(): SignedFile | undefined {
    return this.db.prepare<[], SignedFile>('SELECT version, body, signature FROM fare_bundles ORDER BY id DESC LIMIT 1').get();
  }

  saveFareBundle(file: SignedFile, now: number): void {
    this.db.prepare('INSERT INTO fare_bundles (version, body, signature, published_at) VALUES (?, ?, ?, ?)').run(file.version, file.body, file.signature, now);
  }
}
