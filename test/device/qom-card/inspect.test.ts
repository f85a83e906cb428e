import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/domain/errors.ts';
import { VirtualClassicCard } from '../../../device/mifare/virtual-classic-card.ts';
import type { CardInspection } from '../../../device/qom-card/card-inspection.ts';
import { SLOTS } from '../../../device/qom-card/layout.ts';
import { clientFor, codec, issuedCard, NOON, trip, UID } from '../helpers.ts';
import { debit, failure, poke } from './card-tools.ts';

async function inspect(card: VirtualClassicCard): Promise<CardInspection> {
  try {
    return await codec.inspect(clientFor(card), UID);
  } finally {
    card.leave();
  }
}

function hex(card: VirtualClassicCard, block: number): string {
  return card.block(block).toString('hex').toUpperCase();
}

const INFO = { number: '9826000000000001', category: 'adult', issued: '2025-03-21', expires: '2029-03-20' };

describe('inspect (validator card read --json)', () => {
  it('shows a good card whole: info, both slots with their MACs, the current one, what a validator reads', async () => {
    const card = await issuedCard();
    const written = await debit(clientFor(card), UID, 37_000, trip());
    card.leave();
    const inspection = await inspect(card);
    expect(inspection).toEqual({
      uid: '04A1B2C3',
      layoutVersion: 1,
      info: INFO,
      infoProblem: null,
      infoBlock: hex(card, 4),
      slots: {
        A: { mac: 'valid', purse: { counter: 0, balance: 500_000, status: 'active', lastTrip: null }, problem: null, blocks: [hex(card, 5), hex(card, 8), hex(card, 9)] },
        B: { mac: 'valid', purse: { counter: 1, balance: 463_000, status: 'active', lastTrip: trip() }, problem: null, blocks: [hex(card, 6), hex(card, 12), hex(card, 13)] },
      },
      current: 'B',
      verdict: { ok: true, data: written.data, current: 'B', skipped: [] },
    });
    expect(JSON.parse(JSON.stringify(inspection))).toEqual(inspection);
  });

  it('shows a torn write: the slot that did not complete fails its MAC, the other one is current', async () => {
    const card = await issuedCard();
    const client = clientFor(card);
    card.vanishAfter(11); // read (8), authenticate, both body blocks: the head never comes
    await expect(debit(client, UID, 37_000, trip())).rejects.toMatchObject({ code: ErrorCode.CardRemoved });
    card.leave();
    const inspection = await inspect(card);
    expect(inspection.slots.A.mac).toBe('valid');
    expect(inspection.slots.B).toMatchObject({ mac: 'mismatch', purse: null });
    expect(inspection.current).toBe('A');
    expect(inspection.verdict).toMatchObject({ ok: true, current: 'A', data: { counter: 0, balance: 500_000 } });

    await poke(card, SLOTS.B.head, Buffer.from('00FF00FF00FF00FF00FF00FF00FF00FF', 'hex'));
    const garbage = await inspect(card);
    expect(garbage.verdict).toMatchObject({ ok: true, current: 'A', skipped: ['slot B: MAC mismatch'] });
  });

  it('shows a tampered card: what the altered slot claims, its MAC mismatch, and the rejection', async () => {
    const card = await issuedCard();
    await debit(clientFor(card), UID, 37_000, trip({ time: NOON }));
    card.leave();
    const head = card.block(SLOTS.B.head);
    head.writeInt32BE(9_999_999, 4);
    await poke(card, SLOTS.B.head, head);
    const inspection = await inspect(card);
    expect(inspection.slots.B).toMatchObject({ mac: 'mismatch', purse: { counter: 1, balance: 9_999_999 } });
    expect(inspection.slots.A.mac).toBe('valid');
    expect(inspection.current).toBeNull();
    expect(inspection.verdict).toEqual({
      ok: false,
      code: ErrorCode.CardInvalid,
      message: "slot B claims counter 1, the next after slot A's, but fails its MAC: altered or forged",
    });
  });

  it('shows a card with our keys and nothing on it, and one of another layout version, without throwing', async () => {
    const card = await issuedCard();
    for (const block of [4, 5, 6, 8, 9, 12, 13]) await poke(card, block, Buffer.alloc(16));
    let inspection = await inspect(card);
    expect(inspection).toMatchObject({ layoutVersion: 0, info: null, current: null, slots: { A: { mac: 'blank' }, B: { mac: 'blank' } } });
    expect(inspection.infoProblem).toMatch(/not personalized/);
    expect(inspection.verdict).toMatchObject({ ok: false, code: ErrorCode.CardUnreadable });

    const v0 = await issuedCard();
    const info = v0.block(4);
    info[0] = 0;
    await poke(v0, 4, info);
    inspection = await inspect(v0);
    expect(inspection).toMatchObject({ layoutVersion: 0, info: null, current: null });
    expect(inspection.infoProblem).toMatch(/layout version 0; this validator reads layout version 1 only. Reissue the card/);
    expect(inspection.slots.A.mac).toBe('mismatch'); // the MAC covers the info block
  });

  it('never throws on what the blocks hold (random bytes, 100 seeds)', async () => {
    for (let seed = 1; seed <= 100; seed++) {
      const card = await issuedCard();
      for (const block of [4, 5, 6, 8, 9, 12, 13]) {
        const bytes = createHash('sha256').update(`${seed}/${block}`).digest().subarray(0, 16);
        if (block === 4) bytes[0] = 1;
        await poke(card, block, bytes);
      }
      const inspection = await inspect(card);
      expect(inspection.verdict.ok).toBe(false);
      expect(inspection.current).toBeNull();
    }
  });

  it('throws, with what to do, only when the card cannot be read at all: a blank card, another system\'s', async () => {
    expect(await failure(codec.inspect(clientFor(VirtualClassicCard.blank(UID)), UID))).toEqual({
      code: ErrorCode.CardNotIssued,
      message: 'card 04A1B2C3 is not issued: sector 1 still opens with the transport key FF FF FF FF FF FF. Personalize it at the card office',
    });
    const other = await issuedCard({}, Buffer.from('04A1B2C4', 'hex'));
    expect((await failure(codec.inspect(clientFor(other), UID))).code).toBe(ErrorCode.CardAuthFailed);
  });
});
