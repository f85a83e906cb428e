/** Reading what can still be read from a damaged journal, read-only: for export, and to continue its chain. */
import Database from 'better-sqlite3';
import { tapHash } from './canonical.ts';
import { rowToRecord, TAP_COLUMNS, type TapRow } from './rows.ts';
import type { TapRecord } from './types.ts';

export interface DamagedJournalContents {
  /** Every row that could be read and decoded, ascending by seq. Hashes are as stored, not re-checked. */
  readonly records: TapRecord[];
  /** What could not be read, in words. */
  readonly errors: string[];
}

/** The last record of a damaged journal whose hash checks out: a fresh journal links its chain to it. */
export interface Salvage {
  readonly seq: number;
  readonly hash: string;
  /** The damaged journal's synced_through, when readable. */
  readonly syncedThrough: number | null;
}

// A taps row is over 200 bytes, so a 4 KiB page never holds more than this many: a bound for
// stepping over a damaged region when max(seq) itself cannot be read.
const ROWS_PER_PAGE_BOUND = 64;
const SELECT_TAPS = `SELECT ${TAP_COLUMNS.join(', ')} FROM taps`;

/** Reads every row it can from a journal file that may be damaged, without writing to it. */
export function readDamagedJournal(path: string): DamagedJournalContents {
  const errors: string[] = [];
  const db = openReadOnly(path, errors);
  if (db === null) return { records: [], errors };
  try {
    return { records: scanTaps(db, errors), errors };
  } finally {
    db.close();
  }
}

/** The highest readable record with a sound hash, or null when there is none. */
export function salvageTail(path: string): Salvage | null {
  const db = openReadOnly(path, []);
  if (db === null) return null;
  try {
    const syncedThrough = attempt(() => {
      const row = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'synced_through'").get();
      return row === undefined ? null : Number(row.value);
    });
    // The last row is one index descent away; scan everything only when that path is damaged.
    const last = attempt(() => {
      const row = db.prepare<[], TapRow>(`${SELECT_TAPS} ORDER BY seq DESC LIMIT 1`).get();
      return row === undefined ? null : soundRecord(rowToRecord(row));
    });
    const tail = last ?? scanTaps(db, []).reverse().find((r) => soundRecord(r) !== null) ?? null;
    return tail === null ? null : { seq: tail.seq, hash: tail.hash, syncedThrough: syncedThrough ?? null };
  } finally {
    db.close();
  }
}

function scanTaps(db: Database.Database, errors: string[]): TapRecord[] {
  const records: TapRecord[] = [];
  let from: Database.Statement<[number], TapRow>;
  let firstFrom: Database.Statement<[number], { seq: number }>;
  try {
    // `seq >= next`, not `seq > last`: seeking to `last` would land in the damaged page again.
    from = db.prepare<[number], TapRow>(`${SELECT_TAPS} WHERE seq >= ? ORDER BY seq`);
    firstFrom = db.prepare<[number], { seq: number }>('SELECT seq FROM taps WHERE seq >= ? ORDER BY seq LIMIT 1');
  } catch (e) {
    errors.push(`the taps table cannot be read: ${message(e)}`);
    return records;
  }
  const bound = upperBound(db);
  let next = 1;
  // Probing restarts past the last resume point, so a page that fails to iterate cannot loop forever.
  let probeFloor = 1;
  for (;;) {
    try {
      for (const row of from.iterate(next)) {
        next = row.seq + 1;
        try {
          records.push(rowToRecord(row));
        } catch (e) {
          errors.push(`record ${row.seq} does not decode: ${message(e)}`);
        }
      }
      return records;
    } catch (e) {
      // A damaged page: step one seq at a time until a lookup lands on a readable page again.
      const damagedAfter = next - 1;
      let resumed: number | null = null;
      let end = false;
      const last = bound(damagedAfter);
      for (let s = Math.max(damagedAfter + 1, probeFloor); s <= last && resumed === null && !end; s++) {
        try {
          const row = firstFrom.get(s);
          if (row === undefined) end = true;
          else resumed = row.seq;
        } catch {
          // still inside the damaged region
        }
      }
      const where = resumed === null ? 'nothing readable after it' : `resumed at seq ${resumed}`;
      errors.push(`records after seq ${damagedAfter} could not be read (${message(e)}); ${where}`);
      if (resumed === null) return records;
      next = resumed;
      probeFloor = resumed + 1;
    }
  }
}

/** The highest seq worth probing past a damaged page. */
function upperBound(db: Database.Database): (from: number) => number {
  const max = attempt(() => db.prepare<[], { m: number | null }>('SELECT max(seq) AS m FROM taps').get()?.m ?? null);
  if (typeof max === 'number') return () => max;
  const pages = attempt(() => db.pragma('page_count', { simple: true }));
  const span = (typeof pages === 'number' ? pages : 10_000) * ROWS_PER_PAGE_BOUND;
  return (from) => from + span;
}

function openReadOnly(path: string, errors: string[]): Database.Database | null {
  let db: Database.Database | null = null;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    // Opening is lazy: this first read is what finds out whether the file is a database at all.
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    return db;
  } catch (e) {
    db?.close();
    errors.push(`${path} cannot be opened as a journal: ${message(e)}`);
    return null;
  }
}

function soundRecord(r: TapRecord): TapRecord | null {
  return tapHash(r.seq, r.prevHash, r) === r.hash ? r : null;
}

function attempt<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
