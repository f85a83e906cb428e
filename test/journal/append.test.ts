import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/domain/errors.ts';
import { GENESIS_HASH, tapHash } from '../../src/journal/canonical.ts';
import { sampleTap } from './helpers/sample-tap.ts';
import { useTempDir } from './helpers/temp-dir.ts';
import { FakeDisk, openTestJournal } from './helpers/test-journal.ts';

describe('append', () => {
  const dir = useTempDir();

  it('numbers records from 1 without gaps and chains their hashes', () => {
    const journal = openTestJournal(dir.path);
    const records = [1, 2, 3, 4, 5].map((n) => journal.append(sampleTap(n)));
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(records[0]?.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < records.length; i++) expect(records[i]?.prevHash).toBe(records[i - 1]?.hash);
    for (const r of records) expect(r.hash).toBe(tapHash(r.seq, r.prevHash, r));
    journal.close();
  });

  it('returns exactly what list() reads back, positions quantized to 7 decimals', () => {
    const journal = openTestJournal(dir.path);
    const written = journal.append(sampleTap(1, { position: { lat: 34.640123456, lon: 50.876412345 }, cardNumber: null, stop: null }));
    expect(written.position).toEqual({ lat: 34.6401235, lon: 50.8764123 });
    expect(journal.list(0, 10)).toEqual([written]);
    journal.close();
  });

  it('refuses a tap the format cannot hold and writes nothing', () => {
    const journal = openTestJournal(dir.path);
    journal.append(sampleTap(1));
    expect(() => journal.append(sampleTap(2, { fare: 12.5 }))).toThrow(expect.objectContaining({ code: ErrorCode.BadRequest }));
    expect(() => journal.append(sampleTap(3, { intentId: 'abc' }))).toThrow(/resolveDebit/);
    expect(journal.stats()).toMatchObject({ lastSeq: 1, records: 1 });
    // A refused tap is the caller's mistake, not a storage failure: debits may go on.
    expect(() => journal.assertWritable()).not.toThrow();
    journal.close();
  });

  it('list pages through records after a seq', () => {
    const journal = openTestJournal(dir.path);
    for (let n = 1; n <= 10; n++) journal.append(sampleTap(n));
    expect(journal.list(3, 4).map((r) => r.seq)).toEqual([4, 5, 6, 7]);
    expect(journal.list(8, 100).map((r) => r.seq)).toEqual([9, 10]);
    expect(journal.list(10, 5)).toEqual([]);
    expect(journal.list(0, 0)).toEqual([]);
    expect(() => journal.list(0, -1)).toThrow(expect.objectContaining({ code: ErrorCode.BadRequest }));
    journal.close();
  });

  it('reports stats', () => {
    const disk = new FakeDisk(123_456_789);
    const journal = openTestJournal(dir.path, { statfs: disk.statfs });
    journal.append(sampleTap(1));
    const last = journal.append(sampleTap(2));
    const stats = journal.stats();
    expect(stats).toMatchObject({ lastSeq: 2, lastHash: last.hash, records: 2, openIntents: 0, syncedThrough: 0, freeBytes: 123_456_789, schemaVersion: 1 });
    expect(stats.sizeBytes).toBeGreaterThan(4096);
    journal.close();
  });

  it('refuses every call after close', () => {
    const journal = openTestJournal(dir.path);
    journal.close();
    journal.close();
    expect(() => journal.append(sampleTap(1))).toThrow(expect.objectContaining({ code: ErrorCode.InvalidState }));
    expect(() => journal.stats()).toThrow(expect.objectContaining({ code: ErrorCode.InvalidState }));
  });
});
