import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, isValidatorError } from '../../../src/domain/errors.ts';
import { Reason } from '../../../src/domain/reasons.ts';
import { VirtualClassicCard } from '../../../device/mifare/virtual-classic-card.ts';
import { SLOTS } from '../../../device/qom-card/layout.ts';
import { PipelineHarness } from '../../pipeline/harness.ts';
import { clientFor, codec, issuedCard, trip, UID } from '../helpers.ts';
import { debit, failure, poke } from './card-tools.ts';

/** Every data block of the Qom sectors (1 to 3): info, heads, bodies, reserved. */
const DATA_BLOCKS = [4, 5, 6, 8, 9, 10, 12, 13, 14];
const OTHER_UID = Buffer.from('04A1B2C4', 'hex');

let h: PipelineHarness | undefined;
afterEach(() => {
  h?.journal.close();
  h = undefined;
});

/** A card after one debit: slot B current (counter 1), slot A the older state (counter 0). */
async function debitedCard(uid: Buffer = UID): Promise<VirtualClassicCard> {
  const card = await issuedCard({}, uid);
  await debit(clientFor(card), uid, 37_000, trip());
  card.leave();
  return card;
}

/**
 * Taps the card at a validator (the real pipeline, codec and journal) and checks the rejection: the
 * passenger's reason, one journal record by UID, and not a byte of the card changed.
 */
async function expectRejected(card: VirtualClassicCard, reason: Reason): Promise<void> {
  h ??= new PipelineHarness();
  const before = card.toState();
  const outcome = await h.tap(card);
  expect(outcome.notice).toEqual({ kind: 'rejected', reason, balance: null });
  expect(outcome.records).toHaveLength(1);
  expect(outcome.records[0]).toMatchObject({ cardUid: card.uidHex, cardNumber: null, result: 'rejected', reason, fare: 0 });
  expect(h.journal.openDebits()).toEqual([]);
  expect(card.toState()).toEqual(before);
}

/** 16 bytes that depend only on the seed and the block. */
function randomBlock(seed: number, block: number): Buffer {
  return createHash('sha256').update(`${seed}:${block}`).digest().subarray(0, 16);
}

describe('bad cards: each rejected with its reason, never debited', () => {
  it('a tampered balance in the current slot is CARD_INVALID, not a read of the older slot', async () => {
    const card = await debitedCard();
    const head = card.block(SLOTS.B.head);
    head.writeInt32BE(9_999_999, 4);
    await poke(card, SLOTS.B.head, head);
    expect(await failure(codec.readCard(clientFor(card), UID))).toEqual({
      code: ErrorCode.CardInvalid,
      message: "card 04A1B2C3: slot B claims counter 1, the next after slot A's, but fails its MAC: altered or forged",
    });
    card.leave();
    await expectRejected(card, Reason.CardInvalid);
  });

  it('a tampered balance on a new card (slot A only) is CARD_INVALID', async () => {
    const card = await issuedCard();
    const head = card.block(SLOTS.A.head);
    head.writeInt32BE(9_999_999, 4);
    await poke(card, SLOTS.A.head, head);
    expect(await failure(codec.readCard(clientFor(card), UID))).toEqual({
      code: ErrorCode.CardInvalid,
      message: 'card 04A1B2C3: no purse slot passes its MAC (slot A: MAC mismatch; slot B: blank)',
    });
    card.leave();
    await expectRejected(card, Reason.CardInvalid);
  });

  it('altered card information (a later expiry) fails every slot\'s MAC: CARD_INVALID', async () => {
    const card = await debitedCard();
    const info = card.block(4);
    info.writeUInt16BE(info.readUInt16BE(14) + 3650, 14);
    await poke(card, 4, info);
    expect((await failure(codec.readCard(clientFor(card), UID))).code).toBe(ErrorCode.CardInvalid);
    card.leave();
    await expectRejected(card, Reason.CardInvalid);
  });

  it('a wrong MAC (one bit of the tag flipped) is CARD_INVALID', async () => {
    const card = await debitedCard();
    const body = card.block(SLOTS.B.body[1]);
    body[15]! ^= 0x01;
    await poke(card, SLOTS.B.body[1], body);
    expect((await failure(codec.readCard(clientFor(card), UID))).code).toBe(ErrorCode.CardInvalid);
    card.leave();
    await expectRejected(card, Reason.CardInvalid);
  });

  it('data copied from card X onto card Y (another UID, written with Y\'s own keys) is CARD_INVALID', async () => {
    for (const source of [await debitedCard(), await issuedCard()]) {
      const y = await issuedCard({ number: '9826000000000002', balance: 0 }, OTHER_UID);
      for (const block of DATA_BLOCKS) await poke(y, block, source.block(block));
      expect((await failure(codec.readCard(clientFor(y), OTHER_UID))).code).toBe(ErrorCode.CardInvalid);
      y.leave();
      await expectRejected(y, Reason.CardInvalid);
    }
  });

  it('random bytes in every data block never crash, never debit, always a typed rejection (300 seeds)', async () => {
    const seen = new Map<string, number>();
    for (let seed = 1; seed <= 300; seed++) {
      const card = await issuedCard();
      for (const block of DATA_BLOCKS) {
        const bytes = randomBlock(seed, block);
        // Every other card keeps a version byte of 1, so the slots are judged too, not just the layout version.
        if (block === 4 && seed % 2 === 0) bytes[0] = 1;
        await poke(card, block, bytes);
      }
      let code: ErrorCode;
      try {
        await codec.readCard(clientFor(card), UID);
        throw new Error(`seed ${seed}: random bytes read as a card`);
      } catch (e) {
        if (!isValidatorError(e)) throw e;
        code = e.code;
      } finally {
        card.leave();
      }
      expect([ErrorCode.CardInvalid, ErrorCode.CardUnreadable]).toContain(code);
      seen.set(code, (seen.get(code) ?? 0) + 1);
      await expectRejected(card, code === ErrorCode.CardInvalid ? Reason.CardInvalid : Reason.CardUnreadable);
    }
    // Both ways to fail show up: another layout version, and slots that fail their MAC.
    expect(seen.get(ErrorCode.CardUnreadable)).toBeGreaterThan(100);
    expect(seen.get(ErrorCode.CardInvalid)).toBeGreaterThan(100);
  });

  it('random bytes in the whole memory, trailers too (100 seeds): refused keys, a typed rejection', async () => {
    for (let seed = 1; seed <= 100; seed++) {
      const blocks = Array.from({ length: 64 }, (_, block) => randomBlock(seed, block).toString('hex'));
      const block0 = VirtualClassicCard.blank(UID).block(0);
      blocks[0] = Buffer.concat([block0.subarray(0, 5), randomBlock(seed, 0).subarray(5)]).toString('hex');
      const card = VirtualClassicCard.fromState({ format: 'mifare-classic-1k', uid: '04A1B2C3', blocks });
      expect((await failure(codec.readCard(clientFor(card), UID))).code).toBe(ErrorCode.CardAuthFailed);
      card.leave();
      await expectRejected(card, Reason.CardUnreadable);
    }
  });

  it('a blank card with transport keys is CARD_NOT_ISSUED', async () => {
    const blank = VirtualClassicCard.blank(Buffer.from('0BADCAFE', 'hex'));
    await expectRejected(blank, Reason.CardNotIssued);
    expect(h?.display.screen).toMatchObject({ line1: 'این کارت صادر نشده است', english: 'REJECTED CARD_NOT_ISSUED', led: 'red' });
  });

  it('a card of another system (other keys on sector 1) is CARD_UNREADABLE', async () => {
    const card = VirtualClassicCard.blank(UID);
    const client = clientFor(card);
    await client.loadKey(0, Buffer.alloc(6, 0xff));
    await client.authenticate(4, 'A', 0);
    await client.writeBlock(7, Buffer.from('A1A2A3A4A5A6FF078069B1B2B3B4B5B6', 'hex'));
    card.leave();
    await expectRejected(card, Reason.CardUnreadable);
  });
});
