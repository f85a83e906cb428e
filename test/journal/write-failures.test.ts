import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ErrorCode, type ValidatorError } from '../../src/domain/errors.ts';
import { openConnection } from '../../src/journal/connection.ts';
import { toJournalError } from '../../src/journal/journal-error.ts';
import { SqliteTapJournal } from '../../src/journal/sqlite-tap-journal.ts';
import { sampleTap } from './helpers/sample-tap.ts';
import { expectValidatorError } from './helpers/expect-error.ts';
import { useTempDir } from './helpers/temp-dir.ts';
import { FakeDisk, journalOptions, openTestJournal } from './helpers/test-journal.ts';

describe('write failures', () => {
  const dir = useTempDir();

  it('holds the journal exclusively while open: a second process cannot take the write lock', () => {
    const journal = openTestJournal(dir.path, { busyTimeoutMs: 50 });
    journal.append(sampleTap(1));
    const intruder = new Database(join(dir.path, 'journal.db'), { timeout: 50 });
    expect(() => intruder.exec('BEGIN IMMEDIATE')).toThrow(/locked|busy/i);
    intruder.close();
    // One writer, the daemon: its own writes go on, and the chain stays whole.
    expect(journal.append(sampleTap(2)).seq).toBe(2);
    expect(journal.verify().ok).toBe(true);
    journal.close();
    const after = new Database(join(dir.path, 'journal.db'), { readonly: true });
    expect(after.prepare('SELECT count(*) AS n FROM taps').get()).toEqual({ n: 2 });
    after.close();
  });

  it('maps a real SQLITE_BUSY to JournalUnavailable naming another process', () => {
    const journal = openTestJournal(dir.path, { busyTimeoutMs: 50 });
    const intruder = new Database(join(dir.path, 'journal.db'), { timeout: 50 });
    let busy: unknown;
    try {
      intruder.exec('BEGIN IMMEDIATE');
    } catch (e) {
      busy = e;
    }
    intruder.close();
    journal.close();
    const error = toJournalError(busy, 'append a tap', join(dir.path, 'journal.db'));
    expect(error.code).toBe(ErrorCode.JournalUnavailable);
    expect(error.message).toMatch(/SQLITE_BUSY.*another process/);
  });

  it('a full database (SQLITE_FULL) fails as JournalUnavailable, keeps the chain whole, and recovers when space returns', () => {
    const options = journalOptions(dir.path);
    openTestJournal(dir.path).close();
    // A real SQLITE_FULL from SQLite itself: cap the connection's pages just above what the file holds.
    const db = openConnection(options.path, 1000);
    const pages = Number(db.pragma('page_count', { simple: true }));
    db.pragma(`max_page_count = ${pages + 3}`);
    const journal = new SqliteTapJournal(db, { ...options, statfs: new FakeDisk().statfs });

    let written = 0;
    let error: ValidatorError | undefined;
    for (let n = 1; n <= 500 && error === undefined; n++) {
      try {
        journal.append(sampleTap(n));
        written = n;
      } catch (e) {
        error = e as ValidatorError;
      }
    }
    expect(error?.code).toBe(ErrorCode.JournalUnavailable);
    expect(error?.message).toMatch(/SQLITE_FULL.*is full/);
    expectValidatorError(() => journal.assertWritable(), ErrorCode.JournalUnavailable, /SQLITE_FULL/);
    expect(journal.stats().lastSeq).toBe(written);

    db.pragma('max_page_count = 1000000');
    expect(journal.append(sampleTap(written + 1)).seq).toBe(written + 1);
    expect(() => journal.assertWritable()).not.toThrow();
    expect(journal.verify()).toMatchObject({ ok: true, records: written + 1 });
    journal.close();
  });

  it('a reopen starts healthy', () => {
    const options = journalOptions(dir.path);
    openTestJournal(dir.path).close();
    const db = openConnection(options.path, 1000);
    db.pragma(`max_page_count = ${Number(db.pragma('page_count', { simple: true }))}`);
    const journal = new SqliteTapJournal(db, { ...options, statfs: new FakeDisk().statfs });
    expect(() => {
      for (let n = 1; n <= 500; n++) journal.append(sampleTap(n));
    }).toThrow(/SQLITE_FULL/);
    expectValidatorError(() => journal.assertWritable(), ErrorCode.JournalUnavailable);
    journal.close();
    const reopened = openTestJournal(dir.path);
    expect(() => reopened.assertWritable()).not.toThrow();
    reopened.close();
  });

  it('assertWritable refuses debits while free space is below minFreeBytes', () => {
    const disk = new FakeDisk(100 * 1024 * 1024);
    const journal = openTestJournal(dir.path, { statfs: disk.statfs, minFreeBytes: 50 * 1024 * 1024 });
    expect(() => journal.assertWritable()).not.toThrow();
    disk.freeBytes = 50 * 1024 * 1024 - 1;
    expectValidatorError(() => journal.assertWritable(), ErrorCode.JournalUnavailable, /below minFreeBytes 52428800: debits stop/);
    disk.freeBytes = 50 * 1024 * 1024;
    expect(() => journal.assertWritable()).not.toThrow();
    journal.close();
  });

  it('assertWritable fails closed when free space cannot be read', () => {
    const journal = openTestJournal(dir.path, {
      statfs: () => {
        throw Object.assign(new Error('ENOENT: no such file or directory'), { code: 'ENOENT' });
      },
    });
    expectValidatorError(() => journal.assertWritable(), ErrorCode.JournalUnavailable, /free space/);
    journal.close();
  });
});

describe('toJournalError', () => {
  const cases: [string, ErrorCode, RegExp][] = [
    ['SQLITE_FULL', ErrorCode.JournalUnavailable, /is full/],
    ['SQLITE_IOERR', ErrorCode.JournalUnavailable, /storage .* failed/],
    ['SQLITE_IOERR_FSYNC', ErrorCode.JournalUnavailable, /dmesg/],
    ['SQLITE_READONLY', ErrorCode.JournalUnavailable, /read-write/],
    ['SQLITE_READONLY_DBMOVED', ErrorCode.JournalUnavailable, /cannot be written/],
    ['SQLITE_CANTOPEN', ErrorCode.JournalUnavailable, /cannot open/],
    ['SQLITE_CORRUPT', ErrorCode.JournalCorrupt, /damaged.*moved aside/],
    ['SQLITE_NOTADB', ErrorCode.JournalCorrupt, /damaged/],
    ['SQLITE_CONSTRAINT_UNIQUE', ErrorCode.BadRequest, /refused the row/],
  ];
  it.each(cases)('maps %s to %s with a message that says what to do', (code, expected, advice) => {
    const cause = new Database.SqliteError('sqlite says no', code);
    const error = toJournalError(cause, 'append a tap', '/var/lib/qom/journal.db');
    expect(error.code).toBe(expected);
    expect(error.message).toMatch(advice);
    expect(error.message).toContain(`could not append a tap: ${code}`);
    expect(error.cause).toBe(cause);
  });

  it('maps filesystem errors by errno', () => {
    const cause = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    const error = toJournalError(cause, 'move x', '/j/journal.db');
    expect(error.code).toBe(ErrorCode.JournalUnavailable);
    expect(error.message).toMatch(/full: free space/);
  });
});
