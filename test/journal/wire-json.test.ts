import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tapHash } from '../../src/journal/canonical.ts';
import { tapRecordShape } from '../../sync/contract/wire.ts';
import { acceptedOutcome, sampleIntent, sampleTap } from './helpers/sample-tap.ts';
import { useTempDir } from './helpers/temp-dir.ts';
import { openTestJournal } from './helpers/test-journal.ts';

describe('listJson: the records as SQLite writes their JSON', () => {
  const dir = useTempDir();

  it('is JSON.stringify of list(), record for record, over every kind of value', () => {
    const journal = openTestJournal(dir.path);
    journal.append(sampleTap(1));
    journal.append(sampleTap(2, { position: null, cardNumber: null, cardCounter: null, category: null, route: null, stop: null, balanceBefore: null, balanceAfter: null }));
    journal.append(sampleTap(3, { transfer: true, result: 'accepted', reason: 'TRANSFER', fare: 0 }));
    journal.append(sampleTap(4, { position: { lat: -33.8688197, lon: 151.2092955 }, reader: 'در عقب "quoted" \\ / ☃', utcOffsetMinutes: -150 }));
    journal.append(sampleTap(5, { position: { lat: 0.0000001, lon: -179.9999999 }, balanceBefore: 9_007_199_254_740_991, time: 0 }));
    const intent = sampleIntent(6);
    journal.beginDebit(intent);
    journal.resolveDebit(intent.id, acceptedOutcome(intent));

    const records = journal.list(0, 100);
    const wire = journal.listJson(0, 100);
    expect(wire.map((w) => w.seq)).toEqual(records.map((r) => r.seq));
    for (const [i, w] of wire.entries()) {
      const parsed = JSON.parse(w.json) as Record<string, unknown>;
      expect(parsed).toEqual(records[i]);
      // What the receiver checks: the contract's shape, and the hash over what arrived.
      const record = tapRecordShape.parse(parsed);
      expect(tapHash(record.seq, record.prevHash, record)).toBe(record.hash);
    }
    journal.close();
  });

  it('pages like list()', () => {
    const journal = openTestJournal(dir.path);
    for (let n = 1; n <= 7; n++) journal.append(sampleTap(n));
    expect(journal.listJson(2, 3).map((w) => w.seq)).toEqual([3, 4, 5]);
    expect(journal.listJson(7, 10)).toEqual([]);
    journal.close();
  });

  it('passes an edited row through for the receiver to refuse, where list() throws', () => {
    const journal = openTestJournal(dir.path);
    journal.append(sampleTap(1));
    journal.close();
    const db = new Database(`${dir.path}/journal.db`);
    db.prepare("UPDATE taps SET card_uid = 'X' || char(1) WHERE seq = 1").run();
    db.close();
    const reopened = openTestJournal(dir.path);
    expect(() => reopened.list(0, 1)).toThrow(/record 1/);
    const record = tapRecordShape.parse(JSON.parse(reopened.listJson(0, 1)[0]!.json));
    expect(record.cardUid).toBe('X\u0001');
    expect(tapHash(record.seq, record.prevHash, record)).not.toBe(record.hash);
    reopened.close();
  });
});
