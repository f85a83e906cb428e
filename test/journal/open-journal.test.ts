import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ErrorCode, isValidatorError } from '../../src/domain/errors.ts';
import { openJournal } from '../../src/journal/open-journal.ts';
import { SCHEMA_VERSION } from '../../src/journal/schema.ts';
import { sampleTap } from './helpers/sample-tap.ts';
import { expectValidatorError } from './helpers/expect-error.ts';
import { useTempDir } from './helpers/temp-dir.ts';
import { journalOptions, openTestJournal } from './helpers/test-journal.ts';

function pragma(path: string, name: string): unknown {
  const db = new Database(path, { readonly: true });
  try {
    return db.pragma(name, { simple: true });
  } finally {
    db.close();
  }
}

describe('openJournal', () => {
  const dir = useTempDir();

  it('creates missing directories and a journal at schema version ' + String(SCHEMA_VERSION), () => {
    const path = join(dir.path, 'var', 'lib', 'qom', 'journal.db');
    const journal = openTestJournal(dir.path, { path });
    expect(journal.stats()).toMatchObject({ path, lastSeq: 0, records: 0, openIntents: 0, syncedThrough: 0, schemaVersion: SCHEMA_VERSION });
    journal.close();
    expect(existsSync(path)).toBe(true);
    expect(pragma(path, 'user_version')).toBe(SCHEMA_VERSION);
  });

  it('reports synchronous=2 and journal_mode=wal on every reopen, where plain better-sqlite3 gives NORMAL', () => {
    const path = join(dir.path, 'journal.db');
    for (let open = 1; open <= 3; open++) {
      const journal = openTestJournal(dir.path, { busyTimeoutMs: 1234 });
      journal.append(sampleTap(open));
      expect(journal.connectionSettings()).toEqual({ journalMode: 'wal', synchronous: 2, busyTimeoutMs: 1234 });
      journal.close();
      // The trap this guards against: a WAL database reopened without the pragma is NORMAL (1).
      const plain = new Database(path);
      expect(plain.pragma('synchronous', { simple: true })).toBe(1);
      expect(plain.pragma('journal_mode', { simple: true })).toBe('wal');
      plain.close();
    }
    expect(pragma(path, 'auto_vacuum')).toBe(2);
  });

  it('keeps records and chain across close and reopen', () => {
    const first = openTestJournal(dir.path);
    const a = first.append(sampleTap(1));
    first.close();
    const second = openTestJournal(dir.path);
    const b = second.append(sampleTap(2));
    expect(b.seq).toBe(2);
    expect(b.prevHash).toBe(a.hash);
    expect(second.verify()).toEqual({ ok: true, problems: [], records: 2 });
    second.close();
  });

  it('refuses a database from a newer schema version, says what to do, and leaves it untouched', () => {
    const path = join(dir.path, 'journal.db');
    openTestJournal(dir.path).close();
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const before = readFileSync(path);

    let error: unknown;
    try {
      openTestJournal(dir.path);
    } catch (e) {
      error = e;
    }
    expect(isValidatorError(error, ErrorCode.JournalUnavailable)).toBe(true);
    expect((error as Error).message).toMatch(/schema version 2.*newer release.*Install that release/s);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(pragma(path, 'user_version')).toBe(SCHEMA_VERSION + 1);
  });

  it('fails with JournalUnavailable, not corruption handling, when the path cannot be a database', () => {
    const blocker = join(dir.path, 'not-a-dir');
    writeFileSync(blocker, 'a file where a directory should be');
    expectValidatorError(() => openTestJournal(dir.path, { path: join(blocker, 'journal.db') }), ErrorCode.JournalUnavailable, /create the journal directory/);
    expect(() => openTestJournal(dir.path, { path: dir.path })).toThrow(expect.objectContaining({ code: ErrorCode.JournalUnavailable }));
    expect(readFileSync(blocker, 'utf8')).toBe('a file where a directory should be');
  });

  it('refuses bad options with every problem named', () => {
    expect(() => openJournal(journalOptions(dir.path, { minFreeBytes: -1, retentionMs: 1.5 }))).toThrow(/minFreeBytes.*retentionMs/);
  });
});
