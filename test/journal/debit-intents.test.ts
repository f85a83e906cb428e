import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/domain/errors.ts';
import { acceptedOutcome, notAppliedOutcome, sampleIntent, sampleTap } from './helpers/sample-tap.ts';
import { expectValidatorError } from './helpers/expect-error.ts';
import { useTempDir } from './helpers/temp-dir.ts';
import { openTestJournal } from './helpers/test-journal.ts';

describe('debit intents', () => {
  const dir = useTempDir();

  it('an intent stays open until resolved, then its record carries the intent id', () => {
    const journal = openTestJournal(dir.path);
    const intent = sampleIntent(1);
    journal.beginDebit(intent);
    expect(journal.openDebits()).toEqual([intent]);
    expect(journal.openDebitFor(intent.cardUid)).toEqual(intent);
    expect(journal.stats()).toMatchObject({ openIntents: 1, records: 0 });

    const record = journal.resolveDebit(intent.id, acceptedOutcome(intent));
    expect(record).toMatchObject({ seq: 1, intentId: intent.id, result: 'accepted', fare: 50_000 });
    expect(journal.openDebits()).toEqual([]);
    expect(journal.openDebitFor(intent.cardUid)).toBeUndefined();
    expect(journal.verify().ok).toBe(true);
    journal.close();
  });

  it('open intents survive close and reopen, oldest first, and resolve afterwards', () => {
    const first = openTestJournal(dir.path);
    const later = sampleIntent(1, { createdAt: 2_000 });
    const earlier = sampleIntent(2, { createdAt: 1_000 });
    first.beginDebit(later);
    first.beginDebit(earlier);
    first.close();

    const second = openTestJournal(dir.path);
    expect(second.openDebits().map((i) => i.id)).toEqual([earlier.id, later.id]);
    const record = second.resolveDebit(later.id, notAppliedOutcome(later));
    expect(record).toMatchObject({ result: 'rejected', reason: 'DEBIT_NOT_APPLIED', fare: 0, intentId: later.id });
    expect(second.openDebits().map((i) => i.id)).toEqual([earlier.id]);
    second.close();
  });

  it('resolving an intent twice throws InvalidState and writes nothing: no debit counted twice', () => {
    const journal = openTestJournal(dir.path);
    const intent = sampleIntent(1);
    journal.beginDebit(intent);
    journal.resolveDebit(intent.id, acceptedOutcome(intent));
    const before = journal.stats();
    expectValidatorError(() => journal.resolveDebit(intent.id, acceptedOutcome(intent)), ErrorCode.InvalidState, /already resolved by record 1/);
    expect(journal.stats()).toEqual(before);
    expect(journal.list(0, 10)).toHaveLength(1);
    journal.close();
  });

  it('resolving an unknown intent throws BadRequest and writes nothing', () => {
    const journal = openTestJournal(dir.path);
    const intent = sampleIntent(1);
    expect(() => journal.resolveDebit(intent.id, acceptedOutcome(intent))).toThrow(expect.objectContaining({ code: ErrorCode.BadRequest }));
    expect(journal.stats()).toMatchObject({ lastSeq: 0, records: 0 });
    journal.close();
  });

  it('refuses an outcome that names another intent or card, and the intent stays open', () => {
    const journal = openTestJournal(dir.path);
    const intent = sampleIntent(1);
    journal.beginDebit(intent);
    expect(() => journal.resolveDebit(intent.id, { ...intent.tap, intentId: 'other' })).toThrow(expect.objectContaining({ code: ErrorCode.BadRequest }));
    expect(() => journal.resolveDebit(intent.id, { ...intent.tap, cardUid: 'FFFF' })).toThrow(/for card FFFF/);
    expect(journal.openDebits()).toEqual([intent]);
    expect(journal.stats().records).toBe(0);
    journal.close();
  });

  it('allows one open intent per card, and refuses malformed intents', () => {
    const journal = openTestJournal(dir.path);
    const intent = sampleIntent(1);
    journal.beginDebit(intent);
    const second = sampleIntent(2, { cardUid: intent.cardUid, tap: { ...sampleIntent(2).tap, cardUid: intent.cardUid } });
    expectValidatorError(() => journal.beginDebit(second), ErrorCode.InvalidState, /already has open debit intent/);
    expect(() => journal.beginDebit({ ...sampleIntent(3), counterAfter: 7 })).toThrow(/counterAfter/);
    expect(() => journal.beginDebit({ ...sampleIntent(4), tap: sampleTap(4) })).toThrow(/must have intentId/);
    expect(journal.openDebits()).toEqual([intent]);
    journal.close();
  });

  it('a resolved card can take a new debit', () => {
    const journal = openTestJournal(dir.path);
    const first = sampleIntent(1);
    journal.beginDebit(first);
    journal.resolveDebit(first.id, acceptedOutcome(first));
    const next = sampleIntent(2, { cardUid: first.cardUid, counterBefore: 8, counterAfter: 9, tap: { ...sampleIntent(2).tap, cardUid: first.cardUid } });
    journal.beginDebit(next);
    expect(journal.openDebitFor(first.cardUid)?.id).toBe(next.id);
    journal.close();
  });
});
