import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/domain/errors.ts';
import { ClassicClient } from '../../../device/mifare/classic-client.ts';
import { VirtualClassicCard } from '../../../device/mifare/virtual-classic-card.ts';
import { decodeCardNumber, encodeCardNumber } from '../../../device/qom-card/card-number.ts';
import { decodeDay, encodeDay } from '../../../device/qom-card/calendar-day.ts';
import { decodeInfo, encodeInfo } from '../../../device/qom-card/info-block.ts';
import { SLOTS } from '../../../device/qom-card/layout.ts';
import { ALPHABET, decodeTripText, encodeTripText, tripTextProblem } from '../../../device/qom-card/trip-text.ts';
import { VirtualCardTransport } from '../../../device/sim/virtual-card-transport.ts';
import { clientFor, codec, issue, issuedCard, keys, NOON, trip, UID } from '../helpers.ts';
import { debit, failure, poke, readBack } from './card-tools.ts';

describe('Qom Card codec, layout v1', () => {
  it('reads back exactly what personalization wrote', async () => {
    const card = await issuedCard({ number: '0000123456789012345', category: 'student', status: 'blocked', balance: -1_500, counter: 41 });
    const read = await readBack(card);
    expect(read.current).toBe('A');
    expect(read.data).toEqual({
      uid: '04A1B2C3',
      number: '0000123456789012345',
      category: 'student',
      issued: '2025-03-21',
      expires: '2029-03-20',
      status: 'blocked',
      layoutVersion: 1,
      balance: -1_500,
      counter: 41,
      lastTrip: null,
    });
  });

  it('writes each debit into the older slot and reads back the newest, to the second', async () => {
    const card = await issuedCard();
    let read = await readBack(card);
    const slots: string[] = [read.current];
    for (let i = 1; i <= 4; i++) {
      const lastTrip = trip({ time: NOON + i * 60_000 + 789, chainStart: NOON + 123, stop: i % 2 ? 'S-1042' : null, transfersUsed: 127 - i });
      const written = await debit(clientFor(card), UID, 37_000, lastTrip);
      card.leave();
      read = await readBack(card);
      expect(read).toEqual(written);
      expect(read.data).toMatchObject({ balance: 500_000 - i * 37_000, counter: i, status: 'active' });
      expect(read.data.lastTrip).toEqual({ ...lastTrip, time: NOON + i * 60_000, chainStart: NOON });
      slots.push(read.current);
    }
    expect(slots).toEqual(['A', 'B', 'A', 'B', 'A']);
  });

  it('tops up: a purse write with a higher balance that keeps the last trip exactly, so the fare rules still see it', async () => {
    const card = await issuedCard();
    const client = clientFor(card);
    const debited = await debit(client, UID, 37_000, trip({ time: NOON + 999, transfersUsed: 2, stop: 'S-7' }));
    const toppedUp = await codec.writePurse(client, debited, { balance: debited.data.balance + 1_000_000, counter: 2, lastTrip: debited.data.lastTrip });
    card.leave();
    const read = await readBack(card);
    expect(read).toEqual(toppedUp);
    expect(read.data).toEqual({ ...debited.data, balance: 1_463_000, counter: 2 });
    expect(read.data.lastTrip).toEqual(debited.data.lastTrip);
  });

  it('blocks: a purse write that raises the counter and keeps balance and last trip; later writes never unblock', async () => {
    const card = await issuedCard();
    let client = clientFor(card);
    const debited = await debit(client, UID, 37_000, trip());
    const blocked = await codec.block(client, debited);
    card.leave();
    const read = await readBack(card);
    expect(read).toEqual(blocked);
    expect(read.data).toEqual({ ...debited.data, status: 'blocked', counter: 2 });
    expect(read.current).toBe('A');

    client = clientFor(card);
    const after = await debit(client, UID, 37_000, trip({ time: NOON + 60_000 }));
    card.leave();
    expect(after.data).toMatchObject({ status: 'blocked', counter: 3, balance: 426_000 });
    expect((await readBack(card)).data.status).toBe('blocked');
  });

  it('stores the default config ids and 28 characters of trip text; refuses more before writing anything', async () => {
    const card = await issuedCard();
    const fits = trip({ route: '12', stop: 'S.1042', vehicle: 'BUS-0001', device: 'QOM-DEV-0001' }); // 2 + 6 + 8 + 12 = 28
    expect(tripTextProblem(fits)).toBeNull();
    let client = clientFor(card);
    let read = await codec.readCard(client, UID);
    await codec.writePurse(client, read, { balance: 1, counter: 1, lastTrip: fits });
    card.leave();
    expect((await readBack(card)).data.lastTrip).toEqual(fits);

    const image = card.toState();
    client = clientFor(card);
    read = await codec.readCard(client, UID);
    const tooLong = await failure(codec.writePurse(client, read, { balance: 1, counter: 2, lastTrip: { ...fits, stop: 'S.10420' } }));
    expect(tooLong).toEqual({
      code: ErrorCode.BadRequest,
      message: 'route, stop, vehicle and device take 29 characters (route 2, stop 7, vehicle 8, device 12); the card holds 28 together',
    });
    const badChar = await failure(codec.writePurse(client, read, { balance: 1, counter: 2, lastTrip: { ...fits, route: '1/A' } }));
    expect(badChar.message).toMatch(/route "1\/A" has "\/"/);
    const badAmount = await failure(codec.writePurse(client, read, { balance: 1, counter: 2, lastTrip: { ...fits, amount: 2 ** 24 } }));
    expect(badAmount.message).toMatch(/last trip amount 16777216 does not fit on the card: an integer from 0 to 16777215/);
    const badTransfers = await failure(codec.writePurse(client, read, { balance: 1, counter: 2, lastTrip: { ...fits, transfersUsed: 128 } }));
    expect(badTransfers.message).toMatch(/transfers used 128 does not fit on the card: an integer from 0 to 127/);
    const badCounter = await failure(codec.writePurse(client, read, { balance: 1, counter: 3, lastTrip: null }));
    expect(badCounter.message).toMatch(/raise the counter by one: the card is at 1, the update says 3/);
    card.leave();
    expect(card.toState()).toEqual(image);
  });

  it('personalizes only sectors 1 to 3, with the card\'s own keys, and refuses a card that is already issued', async () => {
    const blank = VirtualClassicCard.blank(UID);
    const card = await issuedCard();
    const changed = blank.toState().blocks.flatMap((b, i) => (b === card.toState().blocks[i] ? [] : [i]));
    // Info, head A, body A's second block (its first is all zero without a trip), the three trailers.
    expect(changed).toEqual([4, 5, 7, 9, 11, 15]);
    const trailer = Buffer.concat([keys.cardKey(UID, 'A'), Buffer.from('78778869', 'hex'), keys.cardKey(UID, 'B')]);
    for (const block of [7, 11, 15]) expect(card.block(block)).toEqual(trailer);
    const other = await issuedCard({}, Buffer.from('04A1B2C4', 'hex'));
    expect(other.block(7)).not.toEqual(trailer);

    const again = await failure(codec.personalize(clientFor(card), UID, issue()));
    expect(again).toEqual({ code: ErrorCode.InvalidState, message: 'card 04A1B2C3 is already issued (sector 1 opens with its Qom key). Personalize only new cards' });
    card.leave();
    expect(card.toState().blocks).toEqual((await issuedCard()).toState().blocks);
  });

  it('refuses to personalize another system\'s card, before writing anything', async () => {
    const card = VirtualClassicCard.blank(UID);
    const client = clientFor(card);
    await client.loadKey(0, Buffer.alloc(6, 0xff));
    await client.authenticate(8, 'A', 0);
    await client.writeBlock(11, Buffer.from('A1A2A3A4A5A6FF078069B1B2B3B4B5B6', 'hex'));
    const before = card.toState();
    const refused = await failure(codec.personalize(clientFor(card), UID, issue()));
    expect(refused).toEqual({
      code: ErrorCode.InvalidState,
      message: "card 04A1B2C3 is not blank: sector 2 opens neither with the transport key nor with this system's key. Personalize only new cards",
    });
    expect(card.toState()).toEqual(before);
  });

  it('completes a personalization cut short, which reads as not issued until then', async () => {
    const reference = (await issuedCard()).toState();
    const updates = 12; // 3 sectors of 3 data blocks and a trailer, sector 1 last
    for (let n = 1; n <= updates; n++) {
      for (const tornWrite of ['unchanged', 'written'] as const) {
        const card = VirtualClassicCard.blank(UID);
        const client = clientFor(card);
        card.armVanish({ duringUpdate: n, tornWrite });
        expect((await failure(codec.personalize(client, UID, issue()))).code).toBe(ErrorCode.CardRemoved);
        card.leave();
        if (n === updates && tornWrite === 'written') {
          // The last write, sector 1's trailer, landed: the card is issued, and personalizing it again is refused.
          expect((await readBack(card)).data.balance).toBe(500_000);
          expect((await failure(codec.personalize(clientFor(card), UID, issue()))).code).toBe(ErrorCode.InvalidState);
        } else {
          expect((await failure(readBack(card))).code).toBe(ErrorCode.CardNotIssued);
          await codec.personalize(clientFor(card), UID, issue());
        }
        card.leave();
        expect(card.toState()).toEqual(reference);
      }
    }
  });

  it('refuses fields that do not fit at personalization, leaving the card blank', async () => {
    const card = VirtualClassicCard.blank(UID);
    const blank = card.toState();
    expect((await failure(codec.personalize(clientFor(card), UID, issue({ number: '12345678901234567890' })))).message).toMatch(/1 to 19 decimal digits/);
    expect((await failure(codec.personalize(clientFor(card), UID, issue({ category: 'pilot' })))).message).toMatch(/known: adult, student/);
    expect((await failure(codec.personalize(clientFor(card), UID, issue({ expires: '2029-02-30' })))).message).toMatch(/expiry date "2029-02-30"/);
    card.leave();
    expect(card.toState()).toEqual(blank);
  });

  it('falls back to the older slot when the newer head is torn into garbage, and reads past nothing else', async () => {
    const card = await issuedCard();
    await debit(clientFor(card), UID, 37_000, trip());
    card.leave();
    const intact = card.toState();
    // A head written halfway: a counter that is not the next one, and bytes that fail the MAC.
    await poke(card, SLOTS.B.head, Buffer.from('7F3A00C1FFFFFFFF0000000000000000', 'hex'));
    const fallback = await readBack(card);
    expect(fallback.current).toBe('A');
    expect(fallback.data).toMatchObject({ counter: 0, balance: 500_000 });
    expect(fallback.skipped).toEqual(['slot B: MAC mismatch']);
    // The next purse write goes into B again, with the counter after A's.
    const client = clientFor(card);
    expect((await codec.writePurse(client, fallback, { balance: 1, counter: 1, lastTrip: null })).current).toBe('B');
    card.leave();
    expect((await readBack(card)).data).toMatchObject({ counter: 1, balance: 1 });

    const restored = VirtualClassicCard.fromState(intact);
    await poke(restored, SLOTS.A.body[0], Buffer.alloc(16, 0x55));
    expect((await readBack(restored)).data).toMatchObject({ counter: 1, balance: 463_000 }); // the older slot is not even read
  });

  it('says why a card is rejected: not issued, foreign keys, not personalized, another layout version', async () => {
    const blank = await failure(codec.readCard(clientFor(VirtualClassicCard.blank(UID)), UID));
    expect(blank).toEqual({
      code: ErrorCode.CardNotIssued,
      message: 'card 04A1B2C3 is not issued: sector 1 still opens with the transport key FF FF FF FF FF FF. Personalize it at the card office',
    });

    const foreign = VirtualClassicCard.blank(UID);
    const client = clientFor(foreign);
    await client.loadKey(0, Buffer.alloc(6, 0xff));
    await client.authenticate(4, 'A', 0);
    await client.writeBlock(7, Buffer.from('A1A2A3A4A5A6FF078069B1B2B3B4B5B6', 'hex'));
    expect(await failure(codec.readCard(clientFor(foreign), UID))).toEqual({
      code: ErrorCode.CardAuthFailed,
      message: 'card 04A1B2C3: sector 1 refused the Qom key B; a card of another system, or one issued under other master keys',
    });

    const card = await issuedCard();
    const info = card.block(4);
    await poke(card, 4, Buffer.alloc(16));
    expect(await failure(readBack(card))).toEqual({
      code: ErrorCode.CardUnreadable,
      message: 'card 04A1B2C3: the card is not personalized: its info block 4 is blank. Issue it again at the card office',
    });
    info[0] = 0;
    await poke(card, 4, info);
    expect(await failure(readBack(card))).toEqual({
      code: ErrorCode.CardUnreadable,
      message: 'card 04A1B2C3: info block 4 says layout version 0; this validator reads layout version 1 only. Reissue the card at the card office',
    });
  });

  it('reads a category code this build does not know, so the fare rules can reject it; refuses the reserved bit', () => {
    const block = encodeInfo(issue());
    block[11] = 9;
    expect(decodeInfo(block)).toEqual({ ok: true, info: { number: '9826000000000001', category: 'unknown-9', issued: '2025-03-21', expires: '2029-03-20' } });
    block[11] = 0x81;
    expect(decodeInfo(block)).toEqual({ ok: false, why: 'info block 4: byte 11 has its reserved bit 7 set' });
  });

  it('works over any ApduTransport, e.g. with a short exchange timeout', async () => {
    const card = await issuedCard();
    card.enterField();
    const client = new ClassicClient(new VirtualCardTransport(card, { latency: 5, sleep: () => Promise.resolve() }), { exchangeTimeoutMs: 4 });
    expect((await failure(codec.readCard(client, UID))).code).toBe(ErrorCode.ReaderTimeout);
  });
});

describe('field encodings', () => {
  it('card numbers: compressed numeric, leading zeros kept', () => {
    expect(encodeCardNumber('9826000000000001').toString('hex').toUpperCase()).toBe('9826000000000001FFFF');
    expect(decodeCardNumber(encodeCardNumber('0'))).toBe('0');
    expect(decodeCardNumber(encodeCardNumber('0123456789012345678'))).toBe('0123456789012345678');
    expect(decodeCardNumber(Buffer.from('12F3FFFFFFFFFFFFFFFF', 'hex'))).toBeNull();
    expect(decodeCardNumber(Buffer.alloc(10, 0xff))).toBeNull();
    expect(() => encodeCardNumber('12a')).toThrow(/decimal digits/);
  });

  it('calendar days', () => {
    expect(encodeDay('1970-01-01', 'd')).toBe(0);
    expect(decodeDay(encodeDay('2029-03-20', 'd'))).toBe('2029-03-20');
    expect(decodeDay(0xffff)).toBe('2149-06-06');
    expect(() => encodeDay('2150-01-01', 'expiry date')).toThrow(/expiry date "2150-01-01" does not fit/);
    expect(() => encodeDay('20290320', 'd')).toThrow(/YYYY-MM-DD/);
  });

  it('trip text: every id character, empty fields anywhere, 28 characters at most', () => {
    const cases = [
      { route: '', stop: null, vehicle: '', device: '' },
      { route: '', stop: null, vehicle: 'B', device: '' },
      { route: 'r', stop: 's', vehicle: '', device: 'd' },
      { route: ALPHABET.slice(0, 10), stop: ALPHABET.slice(10, 20), vehicle: ALPHABET.slice(20, 24), device: ALPHABET.slice(61) },
      { route: '', stop: null, vehicle: '', device: 'z'.repeat(28) },
    ];
    for (const text of cases) {
      expect(encodeTripText(text)).toHaveLength(24);
      expect(decodeTripText(encodeTripText(text))).toEqual(text);
    }
    expect(tripTextProblem({ route: '', stop: null, vehicle: '', device: 'z'.repeat(29) })).toMatch(/29 characters/);
    expect(decodeTripText(Buffer.alloc(24, 0xff))).toBeNull(); // more symbols than an encoding has
  });
});
