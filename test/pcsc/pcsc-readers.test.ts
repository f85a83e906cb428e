import { setTimeout as delay } from 'node:timers/promises';
import { firstValueFrom } from 'rxjs';
import { afterAll, afterEach, beforeEach, expect, it } from 'vitest';
import type { VirtualClassicCard } from '../../device/mifare/virtual-classic-card.ts';
import type { PcscReaders } from '../../device/pcsc/pcsc-readers.ts';
import type { VpcdCard } from '../../device/sim/vpcd-card.ts';
import { ErrorCode } from '../../src/domain/errors.ts';
import { Deadline, systemClock } from '../../src/domain/time.ts';
import type { ReaderState } from '../../src/ports/card-reader.ts';
import { trip } from '../device/helpers.ts';
import { ensurePcscd, restartPcscd, startPcscd, stopPcscd, vpcdReaderName } from '../support/pcscd.ts';
import { describeStack, FRONT, issuedCard, LogLines, openReaders, REAR, stateOf, tap, vpcdCard } from './helpers.ts';

const FARE = 37_000;

function soon(ms = 2_000): Deadline {
  return Deadline.in(systemClock, ms);
}

describeStack('PcscReaders on pcscd', () => {
  let readers: PcscReaders;
  let logs: LogLines;
  const cards: VpcdCard[] = [];

  beforeEach(async () => {
    logs = new LogLines();
    readers = openReaders({}, logs);
    await Promise.all([stateOf(readers.reader('front'), 'ready'), stateOf(readers.reader('rear'), 'ready')]);
  });

  afterEach(async () => {
    for (const card of cards.splice(0)) await card.remove();
    await readers.close();
  });

  afterAll(async () => {
    // A test that failed between stopping and starting pcscd must not leave the next file without one.
    expect(await ensurePcscd()).toEqual({ ok: true });
  });

  function vpcd(card: VirtualClassicCard): VpcdCard {
    const v = vpcdCard(card);
    cards.push(v);
    return v;
  }

  it('presents a card with its UID; reads it in 8 exchanges and debits it in 5, plus one for the UID; the card keeps the debit', async () => {
    const front = readers.reader('front');
    const card = vpcd(await issuedCard('5A6B7C8D'));
    const p = await tap(front, card, FRONT.index);
    expect(p).toMatchObject({ id: 'p-1', reader: 'front', uid: '5A6B7C8D' });
    expect(p.detectedAt).toBeLessThanOrEqual(systemClock.monotonic());

    const data = await p.read(soon());
    expect(data).toMatchObject({ uid: '5A6B7C8D', balance: 500_000, counter: 0 });
    expect(p.exchanges).toBe(8);
    await p.writePurse({ balance: data.balance - FARE, counter: 1, lastTrip: trip() }, soon());
    expect(p.exchanges).toBe(13);
    expect(card.exchanges).toBe(14); // the adapter's GET DATA for the UID comes first

    await card.remove();
    const again = await tap(front, card, FRONT.index);
    expect(again.id).toBe('p-2');
    expect(await again.read(soon())).toMatchObject({ balance: 500_000 - FARE, counter: 1, lastTrip: trip() });
    expect(logs.messages('warn')).toEqual([]);
  });

  it('serves front and rear at once, each with its own presentations', async () => {
    const [front, rear] = [readers.reader('front'), readers.reader('rear')];
    const [a, b] = [vpcd(await issuedCard('6B7C8D9E', { balance: 100_000 })), vpcd(await issuedCard('7C8D9EAF', { balance: 200_000 }))];
    const [pa, pb] = await Promise.all([tap(front, a, FRONT.index), tap(rear, b, REAR.index)]);
    expect([pa.reader, pa.uid, pb.reader, pb.uid]).toEqual(['front', '6B7C8D9E', 'rear', '7C8D9EAF']);
    const [da, db] = await Promise.all([pa.read(soon()), pb.read(soon())]);
    expect([da.balance, db.balance]).toEqual([100_000, 200_000]);
    await Promise.all([
      pa.writePurse({ balance: da.balance - FARE, counter: 1, lastTrip: trip() }, soon()),
      pb.writePurse({ balance: db.balance - FARE, counter: 1, lastTrip: trip() }, soon()),
    ]);
    expect([a.exchanges, b.exchanges]).toEqual([14, 14]);
  });

  it('fails the call in flight with CardRemoved when the card vanishes mid-read, then presents it again', async () => {
    const front = readers.reader('front');
    const card = vpcd(await issuedCard('8D9EAFB0'));
    const p = await tap(front, card, FRONT.index, { vanish: { afterExchanges: 1 + 4 } });
    await expect(p.read(soon())).rejects.toMatchObject({ code: ErrorCode.CardRemoved });
    await expect(p.read(soon())).rejects.toMatchObject({ code: ErrorCode.CardRemoved });
    expect(card.isInserted).toBe(false);
    expect(card.exchanges).toBe(6);

    const again = await tap(front, card, FRONT.index);
    expect((await again.read(soon())).balance).toBe(500_000);
  });

  it('times out a card that answers late, takes no command until the late answer is in, then goes on', async () => {
    await readers.close();
    readers = openReaders({ exchangeTimeoutMs: 200 }, logs);
    const front = readers.reader('front');
    await stateOf(front, 'ready');
    const card = vpcd(await issuedCard('9EAFB0C1'));
    const p = await tap(front, card, FRONT.index);
    card.answerDelayMs = 600;
    await expect(p.read(soon())).rejects.toMatchObject({ code: ErrorCode.ReaderTimeout });
    await expect(p.read(soon())).rejects.toMatchObject({ code: ErrorCode.ReaderBusy });
    card.answerDelayMs = 0;
    await delay(600);
    expect((await p.read(soon())).balance).toBe(500_000);
  });

  it('reports a PC/SC reader that two doors match as a config problem: the first door takes it', async () => {
    await readers.close();
    logs = new LogLines();
    readers = openReaders({ readers: [FRONT, { id: 'also-front', pattern: /virtual pcd 00 00/i }] }, logs);
    await stateOf(readers.reader('front'), 'ready');
    await delay(100);
    const other = await firstValueFrom(readers.reader('also-front').state$);
    expect(other).toMatchObject({ kind: 'absent', reason: expect.stringContaining('matches 2 configured readers') as unknown });
    const errors = logs.messages('error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`"${vpcdReaderName(0)}" matches 2 configured readers`);
    expect(errors[0]).toContain('make the reader name patterns in the config match one reader each');
    expect(logs.messages('info')).toContain(`PC/SC reader "${vpcdReaderName(1)}" matches no configured reader; ignored`);
  });

  it('goes absent when pcscd stops, and ready within 5 s of its return without any help; a tap then works', async () => {
    const front = readers.reader('front');
    const states: ReaderState[] = [];
    front.state$.subscribe((s) => states.push(s));
    const card = vpcd(await issuedCard('AFB0C1D2'));
    const p = await tap(front, card, FRONT.index);

    await stopPcscd();
    try {
      await stateOf(front, 'absent', 2_000);
      await expect(p.read(soon())).rejects.toMatchObject({ code: ErrorCode.ReaderUnavailable });
      await card.whenGone(); // vpcd went with pcscd: the card is out of the field
    } finally {
      await startPcscd();
    }
    const back = performance.now();
    await stateOf(front, 'ready', 5_000);
    await stateOf(readers.reader('rear'), 'ready', 5_000);
    expect(performance.now() - back).toBeLessThan(5_000);
    const after = await tap(front, card, FRONT.index);
    expect((await after.read(soon())).balance).toBe(500_000);

    expect(states[0]).toEqual({ kind: 'ready', name: vpcdReaderName(0) });
    expect(states.at(-1)).toEqual({ kind: 'ready', name: vpcdReaderName(0) });
    expect(states.some((s) => s.kind === 'absent' && s.reason.startsWith('pcscd is not running'))).toBe(true);
  });

  it('rebuilds its nfc-pcsc after a pcscd restart within 5 s, logging each reader and the rebuild once', async () => {
    const [front, rear] = [readers.reader('front'), readers.reader('rear')];
    const before = logs.lines.length;
    const kinds: string[] = [];
    rear.state$.subscribe((s) => kinds.push(s.kind));
    await restartPcscd();
    const back = performance.now();
    await Promise.all([stateOf(front, 'ready', 5_000), stateOf(rear, 'ready', 5_000)]);
    expect(performance.now() - back).toBeLessThan(5_000);
    // Not the old connection's "ready": the door went absent in between.
    expect(kinds[0]).toBe('ready');
    expect(kinds.slice(1, -1)).toContain('absent');
    expect(kinds.at(-1)).toBe('ready');

    const card = vpcd(await issuedCard('B0C1D2E3'));
    const p = await tap(rear, card, REAR.index);
    const data = await p.read(soon());
    await p.writePurse({ balance: data.balance - FARE, counter: 1, lastTrip: trip() }, soon());

    const lines = logs.lines.slice(before).filter((l) => l.level !== 'debug').map((l) => String(l.msg));
    expect(lines.filter((m) => m.includes('reconnecting'))).toHaveLength(1);
    expect(lines.filter((m) => m === 'connected to pcscd again')).toHaveLength(1);
    expect(lines.filter((m) => m.startsWith('reader front absent'))).toHaveLength(1);
    expect(lines.filter((m) => m === 'reader front ready')).toHaveLength(1);
    expect(lines.filter((m) => m === 'reader rear ready')).toHaveLength(1);
  });

  it('completes both streams of every door on close', async () => {
    const done: string[] = [];
    for (const r of readers.readers) {
      r.state$.subscribe({ complete: () => done.push(`${r.id} state`) });
      r.presentations$.subscribe({ complete: () => done.push(`${r.id} presentations`) });
    }
    await readers.close();
    expect(done.sort()).toEqual(['front presentations', 'front state', 'rear presentations', 'rear state']);
  });
});
