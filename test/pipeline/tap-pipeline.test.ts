import { afterEach, describe, expect, it } from 'vitest';
import { Reason } from '../../src/domain/reasons.ts';
import { issuedCard } from '../device/helpers.ts';
import { DENIED, DENIED_BLOCK, PipelineHarness } from './harness.ts';

const START = 500_000;
const FARE = 37_000;
let h: PipelineHarness;

afterEach(() => h.journal.close());

describe('tap pipeline', () => {
  it('debits an accepted card once: card, journal and display agree', async () => {
    h = new PipelineHarness();
    const card = await issuedCard();
    const outcome = await h.tap(card);

    expect(outcome.notice).toEqual({ kind: 'accepted', fare: FARE, balance: START - FARE, transfer: false });
    const [record] = outcome.records;
    expect(outcome.records).toHaveLength(1);
    expect(record).toMatchObject({ seq: 1, result: 'accepted', reason: Reason.Ok, fare: FARE, balanceBefore: START, balanceAfter: START - FARE, cardCounter: 1 });
    expect(record?.intentId).toEqual(expect.any(String));
    expect(await h.cardData(card)).toMatchObject({ balance: START - FARE, counter: 1, lastTrip: { amount: FARE, vehicle: 'BUS-0001' } });
    expect(h.journal.openDebits()).toEqual([]);
    expect(h.display.screen).toMatchObject({ led: 'green', beep: 'short', english: 'ACCEPTED fare 37,000 IRR, balance 463,000 IRR' });
  });

  it('rejects a deny-listed card, journals it, and never writes to it', async () => {
    h = new PipelineHarness();
    const card = await issuedCard({ number: DENIED });
    const outcome = await h.tap(card);
    expect(outcome.notice).toEqual({ kind: 'rejected', reason: Reason.DenyListed, balance: START });
    expect(outcome.records[0]).toMatchObject({ result: 'rejected', reason: Reason.DenyListed, fare: 0, cardNumber: DENIED });
    expect((await h.cardData(card)).counter).toBe(0);
    expect(h.display.screen.led).toBe('red');
  });

  it('blocks a card whose deny-list entry says block, so that offline validators refuse it too', async () => {
    h = new PipelineHarness();
    const card = await issuedCard({ number: DENIED_BLOCK });
    const outcome = await h.tap(card);
    expect(outcome.notice).toEqual({ kind: 'rejected', reason: Reason.BlockWritten, balance: START });
    expect(outcome.records[0]).toMatchObject({ result: 'rejected', reason: Reason.BlockWritten, fare: 0, balanceAfter: START, cardCounter: 1 });
    expect(await h.cardData(card)).toMatchObject({ status: 'blocked', balance: START, counter: 1 });
    h.clock.advance(60_000);
    const again = await h.tap(card);
    expect(again.records[0]).toMatchObject({ reason: Reason.DenyListed, cardCounter: 1 });
  });

  it('settles a block write cut short at the next presentation, and never shows it as a paid ride', async () => {
    h = new PipelineHarness();
    const card = await issuedCard({ number: DENIED_BLOCK });
    // The head (the write's last block) lands as the card leaves.
    const cut = await h.tap(card, { duringUpdate: 3, tornWrite: 'written' });
    expect(cut.notice).toEqual({ kind: 'try-again', reason: Reason.CardRemoved });
    const back = await h.tap(card);
    expect(back.records.map((r) => r.reason)).toEqual([Reason.BlockWritten, Reason.DenyListed]);
    expect(back.notice).toMatchObject({ kind: 'rejected', reason: Reason.DenyListed });
    expect(h.journal.openDebits()).toEqual([]);
  });

  it('answers a repeat on the same bus within the window as already paid, without a card write', async () => {
    h = new PipelineHarness();
    const card = await issuedCard();
    await h.tap(card);
    h.clock.advance(3_000);
    const again = await h.tap(card);
    expect(again.notice).toEqual({ kind: 'already-paid', balance: START - FARE });
    expect(again.records[0]).toMatchObject({ seq: 2, result: 'accepted', reason: Reason.AlreadyPaid, fare: 0 });
    expect((await h.cardData(card)).counter).toBe(1);
    h.clock.advance(10_000);
    expect((await h.tap(card)).notice).toMatchObject({ kind: 'accepted', fare: FARE });
    expect(h.charged(card.uidHex)).toBe(2 * FARE);
  });

  it('rejects and journals a card it cannot read, by UID: a blank one as not issued', async () => {
    h = new PipelineHarness();
    const { VirtualClassicCard } = await import('../../device/mifare/virtual-classic-card.ts');
    const blank = VirtualClassicCard.blank(Buffer.from('0BADCAFE', 'hex'));
    const outcome = await h.tap(blank);
    expect(outcome.notice).toEqual({ kind: 'rejected', reason: Reason.CardNotIssued, balance: null });
    expect(outcome.records[0]).toMatchObject({ cardUid: '0BADCAFE', cardNumber: null, result: 'rejected', reason: Reason.CardNotIssued });
  });

  it('stops debiting when the disk is nearly full: out of service, the card untouched, nothing journaled', async () => {
    h = new PipelineHarness();
    const card = await issuedCard();
    h.freeBytes = 1024;
    const outcome = await h.tap(card);
    expect(outcome.notice.kind).toBe('out-of-service');
    expect(outcome.records).toEqual([]);
    expect(h.journal.openDebits()).toEqual([]);
    expect(await h.cardData(card)).toMatchObject({ balance: START, counter: 0 });
    expect(h.display.screen.english).toMatch(/^OUT OF SERVICE/);
  });

  it('gives "try again" and writes nothing when a slow card uses up the time budget', async () => {
    h = new PipelineHarness({ budgetMs: 300, latencyMs: 60 });
    const card = await issuedCard();
    const outcome = await h.tap(card);
    expect(outcome.notice).toEqual({ kind: 'try-again', reason: Reason.Timeout });
    expect(outcome.records).toEqual([]);
    expect(await h.cardData(card)).toMatchObject({ balance: START, counter: 0 });
  });

  it('keeps validating when the display unit is gone: the journal is the record', async () => {
    h = new PipelineHarness();
    h.display.setConnected(false);
    const card = await issuedCard();
    const outcome = await h.tap(card);
    expect(outcome.notice.kind).toBe('accepted');
    expect(h.journal.list(0, 10)).toHaveLength(1);
  });

  describe('a card pulled away during the debit', () => {
    // Every exchange of a read + debit, and both ways a cut block write can end (landed or not).
    const cuts = Array.from({ length: 16 }, (_, n) => n).flatMap((n) => [
      { afterExchanges: n, tornWrite: 'unchanged' as const },
      { afterExchanges: n, tornWrite: 'written' as const },
    ]);

    it.each(cuts)('cut after exchange $afterExchanges ($tornWrite): after the next presentation, one charge, card and journal agree', async (cut) => {
      h = new PipelineHarness();
      const card = await issuedCard();
      const first = await h.tap(card, cut);
      h.clock.advance(1_500);
      const second = await h.tap(card);

      const onCard = await h.cardData(card);
      // The passenger paid exactly once, whichever exchange the card left at.
      expect(onCard.balance).toBe(START - FARE);
      expect(h.charged(card.uidHex)).toBe(FARE);
      expect(h.journal.openDebits()).toEqual([]);
      const charges = h.journal.list(0, 100).filter((r) => r.fare > 0);
      expect(charges).toHaveLength(1);
      expect(charges[0]).toMatchObject({ balanceAfter: onCard.balance, cardCounter: onCard.counter });
      expect([first.notice.kind, second.notice.kind]).toContain('accepted');
      expect(h.journal.verify()).toMatchObject({ ok: true, problems: [] });
    });
  });

  it('journals an interrupted debit whose card never comes back as unresolved, once', async () => {
    h = new PipelineHarness();
    const card = await issuedCard();
    const first = await h.tap(card, { duringUpdate: 1, tornWrite: 'unchanged' });
    expect(first.notice.kind).toBe('try-again');
    expect(h.journal.openDebits()).toHaveLength(1);

    expect(h.pipeline.closeStaleIntents(24 * 3_600_000)).toEqual([]);
    h.clock.advance(25 * 3_600_000);
    const closed = h.pipeline.closeStaleIntents(24 * 3_600_000);
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ result: 'unresolved', reason: Reason.Unresolved, fare: FARE, intentId: first.records[0]?.intentId ?? closed[0]?.intentId });
    expect(h.journal.openDebits()).toEqual([]);
    expect(h.pipeline.closeStaleIntents(0)).toEqual([]);
  });

  it('charges anew when a debit that did land is resolved after the resume window', async () => {
    h = new PipelineHarness();
    const card = await issuedCard();
    // The last block write of the debit lands, but the card is gone before it confirms.
    await h.tap(card, { duringUpdate: 3, tornWrite: 'written' });
    expect((await h.cardData(card)).balance).toBe(START - FARE);
    h.clock.advance(10 * 60_000);
    const later = await h.tap(card);
    expect(later.records.map((r) => [r.result, r.reason, r.fare])).toEqual([
      ['accepted', Reason.Ok, FARE],
      ['accepted', Reason.Ok, FARE],
    ]);
    expect((await h.cardData(card)).balance).toBe(START - 2 * FARE);
    expect(h.charged(card.uidHex)).toBe(2 * FARE);
  });
});
