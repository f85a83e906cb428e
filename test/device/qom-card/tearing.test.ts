import { describe, expect, it } from 'vitest';
import type { CardData } from '../../../src/domain/card.ts';
import { ErrorCode, isValidatorError } from '../../../src/domain/errors.ts';
import type { ClassicClient } from '../../../device/mifare/classic-client.ts';
import type { TornWrite, VirtualClassicCard } from '../../../device/mifare/virtual-classic-card.ts';
import type { SlotId } from '../../../device/qom-card/layout.ts';
import type { CardRead } from '../../../device/qom-card/qom-card-codec.ts';
import { clientFor, cloneCard, codec, issuedCard, NOON, trip, UID } from '../helpers.ts';

/** Exchanges of a read plus a purse write when nothing is torn (measured in exchange-count.test.ts). */
const READ_AND_WRITE = 13;
const FARE = 37_000;

type Write = 'debit' | 'block' | 'top-up';

async function readData(card: VirtualClassicCard): Promise<{ data: CardData; current: SlotId }> {
  const read = await codec.readCard(clientFor(card), UID);
  card.leave();
  return { data: read.data, current: read.current };
}

/** What each kind of purse write writes, from the card as read. */
function write(kind: Write, client: ClassicClient, read: CardRead, tripNo: number): Promise<CardRead> {
  const { balance, counter, lastTrip } = read.data;
  switch (kind) {
    case 'debit':
      return codec.writePurse(client, read, {
        balance: balance - FARE,
        counter: counter + 1,
        lastTrip: trip({ time: NOON + tripNo * 60_000, chainStart: NOON + tripNo * 60_000, device: `DEV-${tripNo}` }),
      });
    case 'top-up':
      return codec.writePurse(client, read, { balance: balance + 100_000, counter: counter + 1, lastTrip });
    case 'block':
      return codec.block(client, read);
  }
}

/** One tap that writes the purse, with the card vanishing after `n` exchanges; returns whether the tap saw it complete. */
async function tornWrite(card: VirtualClassicCard, n: number, torn: TornWrite, kind: Write, tripNo: number): Promise<boolean> {
  const client = clientFor(card);
  card.vanishAfter(n, torn);
  try {
    const read = await codec.readCard(client, UID);
    await write(kind, client, read, tripNo);
    return true;
  } catch (e) {
    if (!isValidatorError(e, ErrorCode.CardRemoved)) throw e;
    return false;
  } finally {
    card.leave();
  }
}

/** The card after a clean write, for comparison. */
async function writtenCopy(card: VirtualClassicCard, kind: Write, tripNo: number): Promise<CardData> {
  const copy = cloneCard(card);
  expect(await tornWrite(copy, Number.MAX_SAFE_INTEGER, 'unchanged', kind, tripNo)).toBe(true);
  return (await readData(copy)).data;
}

describe('tearing a purse write', () => {
  for (const kind of ['debit', 'block', 'top-up'] as const) {
    for (const start of ['A', 'B'] as const) {
      it(`${kind}: leaves the card exactly as before or as after, cut at every exchange (current slot ${start})`, async () => {
        const base = await issuedCard();
        if (start === 'B') expect(await tornWrite(base, Number.MAX_SAFE_INTEGER, 'unchanged', 'debit', 0)).toBe(true);
        const before = await readData(base);
        expect(before.current).toBe(start);
        const after = await writtenCopy(base, kind, 1);
        expect(after.counter).toBe(before.data.counter + 1);

        const outcomes: string[] = [];
        for (let n = 0; n <= READ_AND_WRITE; n++) {
          for (const torn of ['unchanged', 'written'] as const) {
            const card = cloneCard(base);
            const completed = await tornWrite(card, n, torn, kind, 1);
            const now = await readData(card);
            const state = now.data.counter === before.data.counter ? 'before' : 'after';
            expect(now.data).toEqual(state === 'before' ? before.data : after);
            if (completed) expect(state).toBe('after');
            outcomes.push(`${n}${torn[0]}:${state[0]}`);
          }
        }
        // Exchanges 1-8 read, 9 authenticates, 10-11 write the body, 12 authenticates, 13 writes the head.
        // Only the head write decides: cut during it, the block is either old (before) or new (after).
        const expected = Array.from({ length: READ_AND_WRITE + 1 }, (_, n) =>
          n < 12 ? [`${n}u:b`, `${n}w:b`] : n === 12 ? ['12u:b', '12w:a'] : [`${n}u:a`, `${n}w:a`],
        ).flat();
        expect(outcomes).toEqual(expected);
      });
    }
  }

  it('keeps balance and counter consistent over a long run of randomly torn taps', async () => {
    let seed = 42;
    const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const card = await issuedCard({ balance: 10_000_000 });
    let { data } = await readData(card);
    let landed = 0;
    for (let tap = 1; tap <= 150; tap++) {
      const n = Math.floor(random() * (READ_AND_WRITE + 2));
      const torn = random() < 0.5 ? 'unchanged' : 'written';
      await tornWrite(card, n, torn, 'debit', tap);
      const next = (await readData(card)).data;
      if (next.counter === data.counter) {
        expect(next).toEqual(data);
      } else {
        landed += 1;
        expect(next.counter).toBe(data.counter + 1);
        expect(next.balance).toBe(data.balance - FARE);
        expect(next.lastTrip?.device).toBe(`DEV-${tap}`);
      }
      data = next;
    }
    expect(data.counter).toBe(landed);
    expect(data.balance).toBe(10_000_000 - landed * FARE);
    expect(landed).toBeGreaterThan(10);
    expect(landed).toBeLessThan(150);
  });
});
