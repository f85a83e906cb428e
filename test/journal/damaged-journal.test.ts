import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH } from '../../src/journal/canonical.ts';
import { readDamagedJournal } from '../../src/journal/damaged-journal.ts';
import type { TapRecord } from '../../src/journal/types.ts';
import { noise, overwritePages, tapLeafPages, writeGarbage } from './helpers/damage.ts';
import { sampleTap } from './helpers/sample-tap.ts';
import { useTempDir } from './helpers/temp-dir.ts';
import { ManualClock, openTestJournal, recordingLogger } from './helpers/test-journal.ts';

const STAMP = '20250321T081530Z';

/** A cleanly closed journal of `count` taps, synced through `synced`; returns what was written. */
function writeJournal(dir: string, count: number, synced: number): TapRecord[] {
  const journal = openTestJournal(dir);
  const records = Array.from({ length: count }, (_, i) => journal.append(sampleTap(i + 1)));
  journal.markSynced(synced);
  journal.close();
  return records;
}

describe('a damaged journal at open', () => {
  const dir = useTempDir();

  it('moves a file of random garbage aside (db, -wal and -shm), logs once, and starts at seq 1', () => {
    const path = join(dir.path, 'journal.db');
    writeGarbage(path, 64 * 1024, 1);
    writeGarbage(`${path}-wal`, 8 * 1024, 2);
    writeGarbage(`${path}-shm`, 32 * 1024, 3);
    const { log, lines } = recordingLogger();

    const journal = openTestJournal(dir.path, { log, clock: new ManualClock() });

    const aside = `${path}.corrupt-${STAMP}`;
    expect(readFileSync(aside).equals(noise(64 * 1024, 1))).toBe(true);
    expect(readFileSync(`${aside}-wal`).equals(noise(8 * 1024, 2))).toBe(true);
    expect(existsSync(`${aside}-shm`)).toBe(true);
    const errors = lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.msg).toContain(aside);
    expect(errors[0]?.msg).toMatch(/at seq 1: nothing could be salvaged/);

    expect(journal.continuation()).toBeNull();
    const first = journal.append(sampleTap(1));
    expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH });
    expect(journal.verify().ok).toBe(true);
    journal.close();

    expect(readDamagedJournal(aside)).toEqual({ records: [], errors: [expect.stringMatching(/cannot be opened as a journal: file is not a database/)] });
  });

  it('continues the chain of a journal with overwritten pages, and keeps the rest readable for export', () => {
    const original = writeJournal(dir.path, 300, 120);
    const path = join(dir.path, 'journal.db');
    const leaves = tapLeafPages(path);
    const middle = Math.floor(leaves.length / 2);
    overwritePages(path, [leaves[middle - 4] ?? 0, leaves[middle] ?? 0]);
    const { log, lines } = recordingLogger();

    const journal = openTestJournal(dir.path, { log });

    const aside = `${path}.corrupt-${STAMP}`;
    const last = original.at(-1);
    expect(journal.continuation()).toEqual({ afterSeq: 300, afterHash: last?.hash, damagedFile: aside });
    expect(journal.stats()).toMatchObject({ lastSeq: 300, lastHash: last?.hash, records: 0, syncedThrough: 120 });
    const next = journal.append(sampleTap(301));
    expect(next).toMatchObject({ seq: 301, prevHash: last?.hash });
    expect(journal.verify()).toEqual({ ok: true, problems: [], records: 1 });
    journal.close();

    const errors = lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.msg).toMatch(/moved it aside to .*corrupt-20250321T081530Z .*continuing after seq 300; records 121\.\.300 were not synced/);

    const damaged = readDamagedJournal(aside);
    expect(damaged.errors).toHaveLength(2);
    // Two leaf pages of a dozen rows each are lost; every other record reads back exactly as written.
    expect(damaged.records.length).toBeGreaterThan(300 - 2 * 20);
    expect(damaged.records.length).toBeLessThan(300);
    expect(damaged.records[0]?.seq).toBe(1);
    expect(damaged.records.at(-1)?.seq).toBe(300);
    for (const r of damaged.records) expect(r).toEqual(original[r.seq - 1]);
    const missing = original.filter((r) => !damaged.records.some((d) => d.seq === r.seq)).map((r) => r.seq);
    for (const e of damaged.errors) expect(e).toMatch(/records after seq \d+ could not be read \(database disk image is malformed\); resumed at seq \d+/);
    expect(missing.length).toBe(300 - damaged.records.length);
  });

  it('continues after the last sound record when the tail page itself is damaged', () => {
    const original = writeJournal(dir.path, 200, 0);
    const path = join(dir.path, 'journal.db');
    const leaves = tapLeafPages(path);
    overwritePages(path, [leaves.at(-1) ?? 0]);

    const journal = openTestJournal(dir.path);
    const continuation = journal.continuation();
    const lastReadable = readDamagedJournal(`${path}.corrupt-${STAMP}`).records.at(-1);
    expect(lastReadable?.seq).toBeLessThan(200);
    expect(continuation?.afterSeq).toBe(lastReadable?.seq);
    expect(continuation?.afterHash).toBe(original[(lastReadable?.seq ?? 0) - 1]?.hash);
    expect(journal.append(sampleTap(500)).seq).toBe((lastReadable?.seq ?? 0) + 1);
    journal.close();
  });

  it('keeps the WAL paired with the moved file, so commits that were only in the WAL are salvaged', () => {
    const original = writeJournal(dir.path, 100, 0);
    const live = openTestJournal(dir.path);
    const inWal = Array.from({ length: 20 }, (_, i) => live.append(sampleTap(101 + i)));
    // A power cut now: the last 20 commits are only in the -wal file. Take that image while the journal is open.
    const crash = join(dir.path, 'crash');
    mkdirSync(crash);
    copyFileSync(join(dir.path, 'journal.db'), join(crash, 'journal.db'));
    copyFileSync(join(dir.path, 'journal.db-wal'), join(crash, 'journal.db-wal'));
    live.close();
    overwritePages(join(crash, 'journal.db'), [tapLeafPages(join(dir.path, 'journal.db'))[1] ?? 0]);

    const journal = openTestJournal(crash);
    expect(journal.continuation()?.afterSeq).toBe(120);
    expect(journal.continuation()?.afterHash).toBe(inWal.at(-1)?.hash);
    journal.close();
    const aside = join(crash, `journal.db.corrupt-${STAMP}`);
    expect(existsSync(`${aside}-wal`)).toBe(true);
    const damaged = readDamagedJournal(aside);
    expect(damaged.records.at(-1)).toEqual(inWal.at(-1));
    expect(damaged.records[0]).toEqual(original[0]);
  });

  it('readDamagedJournal says so when a file is a database but not a journal', () => {
    const path = join(dir.path, 'other.db');
    const db = new Database(path);
    db.exec('CREATE TABLE unrelated (x)');
    db.close();
    expect(readDamagedJournal(path)).toEqual({ records: [], errors: [expect.stringMatching(/taps table cannot be read: no such table: taps/)] });
    expect(readDamagedJournal(join(dir.path, 'missing.db')).errors).toEqual([expect.stringMatching(/cannot be opened as a journal/)]);
  });

  it('never overwrites an earlier damaged file', () => {
    const path = join(dir.path, 'journal.db');
    writeGarbage(path, 8192, 7);
    openTestJournal(dir.path).close();
    writeGarbage(path, 8192, 8);
    openTestJournal(dir.path).close();
    const names = readdirSync(dir.path).filter((n) => n.includes('.corrupt-')).sort();
    expect(names).toEqual([`journal.db.corrupt-${STAMP}`, `journal.db.corrupt-${STAMP}-2`]);
    expect(readFileSync(join(dir.path, names[0] ?? '')).equals(noise(8192, 7))).toBe(true);
    expect(readFileSync(join(dir.path, names[1] ?? '')).equals(noise(8192, 8))).toBe(true);
  });

  it('a sound journal is not touched by recovery', () => {
    writeJournal(dir.path, 5, 0);
    const journal = openTestJournal(dir.path);
    expect(journal.continuation()).toBeNull();
    expect(journal.stats().records).toBe(5);
    journal.close();
    expect(readdirSync(dir.path).some((n) => n.includes('corrupt'))).toBe(false);
  });
});
