/** The floor: the least a durable tap can cost on this disk, one bare INSERT per commit, WAL + synchronous=FULL, exclusive lock. */
import Database from 'better-sqlite3';

/** A table with the journal's columns and nothing else: no extra index, no hash, no checks. */
export class FloorTable {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement<unknown[]>;
  private readonly row: unknown[];

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    // The journal's connection holds its file exclusively (one writer: the daemon); the floor gets the same,
    // so the ratio compares the journal's own work, not a locking difference.
    this.db.pragma('locking_mode = EXCLUSIVE');
    this.db.exec(`CREATE TABLE taps (
      seq INTEGER PRIMARY KEY, id TEXT, time INTEGER, utc_offset_minutes INTEGER, device TEXT, reader TEXT,
      card_uid TEXT, card_number TEXT, card_counter INTEGER, category TEXT, result TEXT, reason TEXT, fare INTEGER,
      balance_before INTEGER, balance_after INTEGER, transfer INTEGER, route TEXT, vehicle TEXT, stop TEXT,
      lat_e7 INTEGER, lon_e7 INTEGER, deny_list_version TEXT, fares_version TEXT, intent_id TEXT, prev_hash TEXT, hash TEXT)`);
    this.insert = this.db.prepare(`INSERT INTO taps VALUES (NULL${', ?'.repeat(25)})`);
    this.row = [
      'c9e2f4a1-7b3d-4d6e-8f20-1a5b9c0d3e72', 1742544961000, 210, 'QV-0042', 'front', '04119AF2C36D80', '6037990000004417',
      119, 'adult', 'accepted', 'OK', 50000, 1250000, 1200000, 0, '12', 'BUS-3107', 'S-0457', 346401000, 508764000,
      'deny-2025-03-20.1', 'flat-2025-01', null, 'a'.repeat(64), 'b'.repeat(64),
    ];
  }

  /** One row, one commit, fsynced. */
  insertOne(): void {
    this.insert.run(this.row);
  }

  close(): void {
    this.db.close();
  }
}
