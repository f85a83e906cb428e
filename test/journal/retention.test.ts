import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/domain/errors.ts';
import { acceptedOutcome, sampleIntent, sampleTap } from './helpers/sample-tap.ts';
import { expectValidatorError } from './helpers/expect-error.ts';
import { useTempDir } from './helpers/temp-dir.ts';
import { DAY_MS, FakeDisk, openTestJournal } from './helpers/test-journal.ts';

const T0 = sampleTap(0).time;
const LOW = 100 * 1024 * 1024;
const PLENTY = 10 * 1024 ** 3;

describe('markSynced', () => {
  const dir = useTempDir();

  it('only moves forward, refuses seqs the journal does not have, and survives reopen', () => {
    const journal = openTestJournal(dir.path);
    for (let n = 1; n <= 5; n++) journal.append(sampleTap(n));
    journal.markSynced(3);
    journal.markSynced(2);
    expect(journal.stats().syncedThrough).toBe(3);
    expect(journal.syncPosition()).toEqual({ lastSeq: 5, syncedThrough: 3 });
    expectValidatorError(() => journal.markSynced(6), ErrorCode.BadRequest, /ends at seq 5/);
    journal.close();
    const reopened = openTestJournal(dir.path);
    expect(reopened.stats().syncedThrough).toBe(3);
    expect(reopened.syncPosition()).toEqual({ lastSeq: 5, syncedThrough: 3 });
    reopened.close();
  });
});

// Writes and vacuums real files: under a loaded disk (CI runs the suite in parallel) it takes seconds.
describe('prune', { timeout: 30_000 }, () => {
  const dir = useTempDir();

  function journalWith(count: number, disk: FakeDisk, timeOf: (n: number) => number = (n) => T0 + n * 1000) {
    const journal = openTestJournal(dir.path, { statfs: disk.statfs, retentionMs: 30 * DAY_MS, pruneWhenFreeBelowBytes: 200 * 1024 * 1024, minFreeBytes: 0 });
    const records = Array.from({ length: count }, (_, i) => journal.append(sampleTap(i + 1, { time: timeOf(i + 1) })));
    return { journal, records };
  }

  it('does nothing while free space is at or above the threshold', () => {
    const disk = new FakeDisk(200 * 1024 * 1024);
    const { journal } = journalWith(10, disk);
    journal.markSynced(10);
    expect(journal.prune(T0 + 365 * DAY_MS)).toEqual({ deleted: 0, freeBytesBefore: 200 * 1024 * 1024 });
    expect(journal.stats().records).toBe(10);
    journal.close();
  });

  it('deletes only synced records older than the retention, never an unsynced one, and keeps the chain verifiable', () => {
    const disk = new FakeDisk(LOW);
    const { journal, records } = journalWith(10, disk);
    journal.markSynced(6);
    expect(journal.prune(T0 + 365 * DAY_MS).deleted).toBe(6);
    expect(journal.list(0, 100).map((r) => r.seq)).toEqual([7, 8, 9, 10]);
    expect(journal.verify()).toEqual({ ok: true, problems: [], records: 4 });

    const next = journal.append(sampleTap(11));
    expect(next).toMatchObject({ seq: 11, prevHash: records[9]?.hash });
    expect(journal.verify().ok).toBe(true);
    journal.close();
  });

  it('keeps records younger than the retention even when synced, as a prefix even across a clock step back', () => {
    const disk = new FakeDisk(LOW);
    const now = T0 + 60 * DAY_MS;
    // Records 1-3 old, 4 young (written after a clock step forward), 5-6 old again.
    const { journal } = journalWith(6, disk, (n) => (n === 4 ? now - DAY_MS : T0 + n));
    journal.markSynced(6);
    expect(journal.prune(now).deleted).toBe(3);
    expect(journal.list(0, 100).map((r) => r.seq)).toEqual([4, 5, 6]);
    expect(journal.verify().ok).toBe(true);
    journal.close();
  });

  it('can delete every record and still continue the chain after reopen', () => {
    const disk = new FakeDisk(LOW);
    const { journal, records } = journalWith(5, disk);
    journal.markSynced(5);
    expect(journal.prune(T0 + 365 * DAY_MS).deleted).toBe(5);
    expect(journal.stats()).toMatchObject({ records: 0, lastSeq: 5, lastHash: records[4]?.hash });
    journal.close();

    const reopened = openTestJournal(dir.path);
    expect(reopened.append(sampleTap(6))).toMatchObject({ seq: 6, prevHash: records[4]?.hash });
    expect(reopened.verify()).toEqual({ ok: true, problems: [], records: 1 });
    reopened.close();
  });

  it('removes resolved intents with their records and keeps open ones', () => {
    const disk = new FakeDisk(LOW);
    const { journal } = journalWith(0, disk);
    const resolved = sampleIntent(1);
    journal.beginDebit(resolved);
    journal.resolveDebit(resolved.id, acceptedOutcome(resolved));
    const open = sampleIntent(2);
    journal.beginDebit(open);
    journal.markSynced(1);
    expect(journal.prune(T0 + 365 * DAY_MS).deleted).toBe(1);
    expect(journal.openDebits()).toEqual([open]);
    expect(journal.verify().ok).toBe(true);
    journal.close();
  });

  it('hands the freed space back to the filesystem', () => {
    const disk = new FakeDisk(PLENTY);
    const { journal } = journalWith(1500, disk);
    journal.markSynced(1500);
    const before = journal.stats().sizeBytes;
    disk.freeBytes = LOW;
    expect(journal.prune(T0 + 365 * DAY_MS).deleted).toBe(1500);
    const after = journal.stats().sizeBytes;
    expect(after).toBeLessThan(before / 4);
    journal.close();
  });
});
