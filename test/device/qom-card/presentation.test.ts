import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/domain/errors.ts';
import { Deadline } from '../../../src/domain/time.ts';
import type { ApduTransport } from '../../../device/mifare/apdu-transport.ts';
import { VirtualClassicCard } from '../../../device/mifare/virtual-classic-card.ts';
import { QomCardPresentation } from '../../../device/qom-card/qom-card-presentation.ts';
import { VirtualCardTransport } from '../../../device/sim/virtual-card-transport.ts';
import { codec, FakeClock, issue, issuedCard, trip, UID } from '../helpers.ts';

function present(card: VirtualClassicCard, clock: FakeClock, latency = 0, spy?: number[]): QomCardPresentation {
  card.enterField();
  const inner = new VirtualCardTransport(card, { latency, sleep: clock.sleep });
  const transport: ApduTransport = {
    exchange: (apdu, timeoutMs) => {
      spy?.push(timeoutMs);
      return inner.exchange(apdu, timeoutMs);
    },
  };
  return new QomCardPresentation({
    id: 'p-1',
    reader: 'front',
    uid: UID,
    detectedAt: clock.monotonic(),
    transport,
    codec,
    exchangeTimeoutMs: 50,
  });
}

describe('QomCardPresentation', () => {
  it('reads, then writes into the slot the read found older, and again into the other one', async () => {
    const clock = new FakeClock();
    const card = await issuedCard();
    const p = present(card, clock);
    const deadline = Deadline.in(clock, 300);
    expect(p.uid).toBe('04A1B2C3');
    const data = await p.read(deadline);
    await p.writePurse({ balance: data.balance - 37_000, counter: 1, lastTrip: trip() }, deadline);
    await p.writePurse({ balance: data.balance - 74_000, counter: 2, lastTrip: trip() }, deadline);
    expect(p.exchanges).toBe(8 + 5 + 5);
    const again = present(card, clock);
    expect(await again.read(deadline)).toMatchObject({ counter: 2, balance: 426_000 });
  });

  it('refuses a write that no read prepared, and one after a write that failed', async () => {
    const clock = new FakeClock();
    const card = await issuedCard();
    const p = present(card, clock);
    const deadline = Deadline.in(clock, 300);
    await expect(p.writePurse({ balance: 1, counter: 1, lastTrip: null }, deadline)).rejects.toMatchObject({ code: ErrorCode.InvalidState });
    await p.read(deadline);
    card.vanishAfter(1);
    await expect(p.writePurse({ balance: 1, counter: 1, lastTrip: null }, deadline)).rejects.toMatchObject({ code: ErrorCode.CardRemoved });
    await expect(p.writePurse({ balance: 1, counter: 1, lastTrip: null }, deadline)).rejects.toMatchObject({
      code: ErrorCode.InvalidState,
      message: expect.stringMatching(/after a failed write/) as unknown,
    });
  });

  it('fails fast with ReaderTimeout once the deadline has passed, without an exchange', async () => {
    const clock = new FakeClock();
    const sent: number[] = [];
    const p = present(await issuedCard(), clock, 0, sent);
    const deadline = Deadline.in(clock, 10);
    clock.advance(10);
    await expect(p.read(deadline)).rejects.toMatchObject({ code: ErrorCode.ReaderTimeout });
    expect(sent).toEqual([]);
  });

  it('bounds each exchange by min(exchange timeout, time left) and times out mid-read', async () => {
    const clock = new FakeClock();
    const card = await issuedCard();
    const timeouts: number[] = [];
    const p = present(card, clock, 4, timeouts);
    const deadline = Deadline.in(clock, 110);
    await p.read(deadline); // 8 exchanges of 4 ms
    expect(timeouts).toEqual([50, 50, 50, 50, 50, 50, 50, 50]);

    timeouts.length = 0;
    const late = present(card, clock, 4, timeouts);
    const short = Deadline.in(clock, 10);
    await expect(late.read(short)).rejects.toMatchObject({ code: ErrorCode.ReaderTimeout });
    expect(timeouts).toEqual([10, 6, 2]);
    expect(clock.monotonic() - short.at).toBe(0); // gave up exactly at the deadline
  });

  it('refuses a second call while one is in flight (ReaderBusy), and serves the first', async () => {
    const clock = new FakeClock();
    const p = present(await issuedCard(), clock, 1);
    const deadline = Deadline.in(clock, 300);
    const first = p.read(deadline);
    await expect(p.read(deadline)).rejects.toMatchObject({ code: ErrorCode.ReaderBusy });
    await expect(p.writePurse({ balance: 1, counter: 1, lastTrip: null }, deadline)).rejects.toMatchObject({ code: ErrorCode.ReaderBusy });
    expect(await first).toMatchObject({ counter: 0 });
    expect(await p.read(deadline)).toMatchObject({ counter: 0 });
  });

  it('rejects with CardRemoved when the card leaves during a read', async () => {
    const clock = new FakeClock();
    const card = await issuedCard();
    const p = present(card, clock);
    card.vanishAfter(3);
    await expect(p.read(Deadline.in(clock, 300))).rejects.toMatchObject({ code: ErrorCode.CardRemoved });
    expect(p.exchanges).toBe(4);
  });

  it('blocks and inspects the card it read, and refuses a block that no read prepared', async () => {
    const clock = new FakeClock();
    const card = await issuedCard();
    const p = present(card, clock);
    const deadline = Deadline.in(clock, 300);
    await expect(p.block(deadline)).rejects.toMatchObject({ code: ErrorCode.InvalidState });
    const data = await p.read(deadline);
    await p.block(deadline);
    expect(p.exchanges).toBe(8 + 5);
    const inspection = await p.inspect(deadline);
    expect(inspection.verdict).toMatchObject({ ok: true, current: 'B', data: { ...data, counter: 1, status: 'blocked' } });
  });

  it('personalizes a blank card, which then reads', async () => {
    const clock = new FakeClock();
    const card = VirtualClassicCard.blank(UID);
    const p = present(card, clock);
    const deadline = Deadline.in(clock, 300);
    await expect(p.read(deadline)).rejects.toMatchObject({ code: ErrorCode.CardNotIssued });
    await p.personalize(issue(), deadline);
    expect(await p.read(deadline)).toMatchObject({ number: '9826000000000001', balance: 500_000, counter: 0, layoutVersion: 1 });
  });
});
