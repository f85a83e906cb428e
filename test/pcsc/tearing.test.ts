import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TornWrite, VirtualClassicCard } from '../../device/mifare/virtual-classic-card.ts';
import type { PcscCardReader, PcscReaders } from '../../device/pcsc/pcsc-readers.ts';
import type { VpcdCard } from '../../device/sim/vpcd-card.ts';
import type { CardData } from '../../src/domain/card.ts';
import { ErrorCode, isValidatorError } from '../../src/domain/errors.ts';
import { Deadline, systemClock } from '../../src/domain/time.ts';
import { clientFor, cloneCard, NOON, trip } from '../device/helpers.ts';
import { describeStack, FRONT, issuedCard, openReaders, REAR, stackCodec as codec, stateOf, tap, vpcdCard } from './helpers.ts';

/** Exchanges of a read and a debit through the codec (docs/card-layout.md, "Exchanges"). */
const READ_AND_DEBIT = 13;
/** The adapter's GET DATA for the UID, which the card answers before the codec's first exchange. */
const UID_EXCHANGE = 1;
const FARE = 37_000;
const TRIP = trip({ time: NOON + 60_000, chainStart: NOON + 60_000 });

interface Cut {
  /** Codec exchanges answered before the card leaves: it leaves during exchange n + 1. */
  readonly n: number;
  readonly torn: TornWrite;
}

/**
 * A read and a debit cut at every exchange, on the real stack (nfc-pcsc → pcscd → vpcd → VpcdCard):
 * presented again, the card reads exactly as before the debit or exactly as after it, and "after" only
 * once the head write (the 13th exchange) has landed. The head write cut is tried both ways: the block left
 * as it was, and the block written. (test/device/qom-card/tearing.test.ts tries every cut both ways
 * in-process; here each cut costs two card insertions, about a second.)
 */
describeStack('tearing a debit on the real PC/SC stack', () => {
  let readers: PcscReaders;

  beforeAll(async () => {
    readers = openReaders();
    await Promise.all([stateOf(readers.reader('front'), 'ready'), stateOf(readers.reader('rear'), 'ready')]);
  });

  afterAll(async () => {
    await readers.close();
  });

  /** One tap that reads and debits; whether the tap saw the debit complete. */
  async function tornTap(reader: PcscCardReader, index: number, card: VpcdCard, cut: Cut): Promise<boolean> {
    const p = await tap(reader, card, index, { vanish: { afterExchanges: UID_EXCHANGE + cut.n, tornWrite: cut.torn } });
    const deadline = Deadline.in(systemClock, 3_000);
    try {
      const data = await p.read(deadline);
      await p.writePurse({ balance: data.balance - FARE, counter: data.counter + 1, lastTrip: TRIP }, deadline);
      return true;
    } catch (e) {
      if (!isValidatorError(e, ErrorCode.CardRemoved)) throw e;
      return false;
    } finally {
      await card.remove();
    }
  }

  /** The card as the next presentation reads it. */
  async function readAgain(reader: PcscCardReader, index: number, card: VpcdCard): Promise<CardData> {
    const p = await tap(reader, card, index);
    try {
      return await p.read(Deadline.in(systemClock, 3_000));
    } finally {
      await card.remove();
    }
  }

  it('leaves the card exactly as before or as after, cut at every exchange of a read and a debit', async () => {
    const base = await issuedCard('C1D2E3F4');
    // The two states to compare with, from the codec in-process; the uncut tap (n = 13) shows the stack agrees.
    const before = (await codec.readCard(clientFor(cloneCard(base)), base.uid)).data;
    const after = { ...before, balance: before.balance - FARE, counter: before.counter + 1, lastTrip: TRIP };

    // Exchange 13 writes the head; n = 13 cuts nothing: the whole tap, whose card must read exactly as `after`.
    const cuts: Cut[] = [];
    for (let n = 0; n <= READ_AND_DEBIT; n++) {
      cuts.push({ n, torn: 'unchanged' });
      if (n === 12) cuts.push({ n, torn: 'written' });
    }
    // Two lanes, front and rear, to halve the time.
    const lanes: [PcscCardReader, number][] = [
      [readers.reader('front'), FRONT.index],
      [readers.reader('rear'), REAR.index],
    ];
    const outcomes = new Map<string, string>();
    const settled = await Promise.allSettled(
      lanes.map(async ([reader, index], lane) => {
        for (const cut of cuts.filter((_, i) => i % lanes.length === lane)) {
          const card: VirtualClassicCard = cloneCard(base);
          const vpcd = vpcdCard(card);
          const completed = await tornTap(reader, index, vpcd, cut);
          expect(vpcd.exchanges).toBe(UID_EXCHANGE + Math.min(cut.n + 1, READ_AND_DEBIT));
          const now = await readAgain(reader, index, vpcd);
          const state = now.counter === before.counter ? 'before' : 'after';
          expect(now).toEqual(state === 'before' ? before : after);
          if (completed) expect(state).toBe('after');
          outcomes.set(`${cut.n}${cut.torn[0]}`, state[0]!);
        }
      }),
    );
    for (const lane of settled) if (lane.status === 'rejected') throw lane.reason;
    const seen = cuts.map((c) => `${c.n}${c.torn[0]}:${outcomes.get(`${c.n}${c.torn[0]}`)}`);
    // Only the head write decides: cut during it, the block is either old (before) or new (after).
    const expected = cuts.map((c) => `${c.n}${c.torn[0]}:${c.n < 12 || (c.n === 12 && c.torn === 'unchanged') ? 'b' : 'a'}`);
    expect(seen).toEqual(expected);
  }, 60_000);
});
