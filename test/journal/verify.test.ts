import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { acceptedOutcome, sampleIntent, sampleTap } from './helpers/sample-tap.ts';
import { useTempDir } from './helpers/temp-dir.ts';
import { openTestJournal } from './helpers/test-journal.ts';

describe('verify', () => {
  const dir = useTempDir();

  /** Five taps, then two resolved debits (records 6 and 7); the journal is closed. */
  function writeJournal(): void {
    const journal = openTestJournal(dir.path);
    for (let n = 1; n <= 5; n++) journal.append(sampleTap(n));
    for (const n of [6, 7]) {
      const intent = sampleIntent(n);
      journal.beginDebit(intent);
      journal.resolveDebit(intent.id, acceptedOutcome(intent));
    }
    journal.close();
  }

  /** Edits the file with raw SQL, as someone with a shell on the device could, then verifies it through the journal. */
  function tamperAndVerify(sql: string, unsafe = false) {
    const raw = new Database(join(dir.path, 'journal.db'));
    if (unsafe) {
      raw.unsafeMode(true);
      raw.pragma('writable_schema = ON');
    }
    raw.exec(sql);
    raw.close();
    const journal = openTestJournal(dir.path);
    try {
      return journal.verify();
    } finally {
      journal.close();
    }
  }

  it('passes an untouched journal', () => {
    writeJournal();
    expect(tamperAndVerify('SELECT 1')).toEqual({ ok: true, problems: [], records: 7 });
  });

  it('reports a changed fare as a hash mismatch of that record only', () => {
    writeJournal();
    const report = tamperAndVerify('UPDATE taps SET fare = 0 WHERE seq = 6');
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual(['record 6: hash does not match its contents (the row was changed after it was written)']);
  });

  it('reports a deleted record as a gap and a broken link', () => {
    writeJournal();
    const report = tamperAndVerify('DELETE FROM taps WHERE seq = 3');
    expect(report.problems).toEqual(['record 3 is missing: the sequence jumps to 4', 'record 4: prev_hash does not match the hash of record 2']);
    expect(report.records).toBe(6);
  });

  it('reports records deleted from the start of the chain', () => {
    writeJournal();
    const report = tamperAndVerify('DELETE FROM taps WHERE seq <= 2');
    expect(report.problems).toEqual(['records 1..2 are missing: the sequence jumps to 3', 'record 3: prev_hash does not match the genesis hash']);
  });

  it('reports a re-hashed forgery by its broken link', () => {
    writeJournal();
    // Someone who edits a row and writes a new hash into it still breaks the next record's prev_hash.
    const report = tamperAndVerify("UPDATE taps SET hash = 'f' || substr(hash, 2) WHERE seq = 2");
    expect(report.problems).toContain('record 2: hash does not match its contents (the row was changed after it was written)');
    expect(report.problems).toContain('record 3: prev_hash does not match the hash of record 2');
  });

  it('reports a resolved intent that points at the wrong record', () => {
    writeJournal();
    const intent = sampleIntent(6);
    const report = tamperAndVerify(`UPDATE intents SET resolved_seq = 2 WHERE id = '${intent.id}'`);
    expect(report.problems).toContain(`debit intent ${intent.id} is resolved by record 2, which names no intent`);
    expect(report.problems).toContain(`record 6 names debit intent ${intent.id}, which is not resolved by this record`);
  });

  it('reports a debit counted by two records', () => {
    writeJournal();
    const intent = sampleIntent(6);
    const report = tamperAndVerify(`DROP INDEX taps_intent; UPDATE taps SET intent_id = '${intent.id}' WHERE seq = 7`);
    expect(report.problems).toContain(`debit intent ${intent.id} is counted by more than one record (6, 7)`);
    expect(report.problems).toContain('record 7: hash does not match its contents (the row was changed after it was written)');
  });

  it("includes PRAGMA integrity_check's findings", () => {
    writeJournal();
    // An index whose declared condition no longer matches its content: quick_check at open passes it,
    // integrity_check does not.
    const report = tamperAndVerify(
      "UPDATE sqlite_schema SET sql = 'CREATE UNIQUE INDEX taps_intent ON taps (intent_id) WHERE intent_id IS NULL' WHERE name = 'taps_intent'",
      true,
    );
    expect(report.ok).toBe(false);
    expect(report.problems.some((p) => /^integrity_check: row \d+ missing from index taps_intent$/.test(p))).toBe(true);
  });
});
