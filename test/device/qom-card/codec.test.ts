import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ErrorCode, isValidatorError } from '../../../src/domain/errors.ts';
import { ClassicClient } from '../../../device/mifare/classic-client.ts';
import { VirtualClassicCard } from '../../../device/mifare/virtual-classic-card.ts';
import { decodeCardNumber, encodeCardNumber } from '../../../device/qom-card/card-number.ts';
import { decodeDay, encodeDay } from '../../../device/qom-card/calendar-day.ts';
import { decodeInfo, encodeInfo } from '../../../device/qom-card/info-block.ts';
import { crc32Integrity } from '../../../device/qom-card/integrity.ts';
import { V0_KEYS } from '../../../device/qom-card/key-store.ts';
import { VirtualCardTransport } from '../../../device/sim/virtual-card-transport.ts';
import { SLOTS } from '../../../device/qom-card/layout.ts';
import { ALPHABET, decodeTripText, encodeTripText, tripTextProblem } from '../../../device/qom-card/trip-text.ts';
import { clientFor, codec, issue, issuedCard, NOON, trip, UID } from '../helpers.ts';

async function readBack(card: VirtualClassicCard): Promise<Awaited<ReturnType<typeof codec.readCard>>> {
  const read = await codec.readCard(clientFor(card), UID);
  card.leave();
  return read;
}

async function failure(work: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await work;
  } catch (e) {
    if (isValidatorError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a rejection');
}

/** Writes raw bytes into one of our blocks with the Qom key B, as a corrupting writer would. */
async function poke(card: VirtualClassicCard, block: number, bytes: Buffer): Promise<void> {
  const client = clientFor(card);
  await client.loadKey(0, V0_KEYS.B);
  await client.authenticate(block, 'B', 0);
  await client.writeBlock(block, bytes);
  card.leave();
}

describe('Qom Card codec, layout v0', () => {
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
      layoutVersion: 0,
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
      const lastTrip = trip({ time: NOON + i * 60_000 + 789, chainStart: NOON + 123, stop: i % 2 ? 'S-1042' : null, transfersUsed: i });
      const client = clientFor(card);
      const before = await codec.readCard(client, UID);
      const written = await codec.writePurse(client, before, { balance: 500_000 - i * 37_000, counter: i, lastTrip });
      card.leave();
      read = await readBack(card);
      expect(read).toEqual(written);
      expect(read.data).toMatchObject({ balance: 500_000 - i * 37_000, counter: i });
      expect(read.data.lastTrip).toEqual({ ...lastTrip, time: NOON + i * 60_000, chainStart: NOON });
      slots.push(read.current);
    }
    expect(slots).toEqual(['A', 'B', 'A', 'B', 'A']);
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
    const badCounter = await failure(codec.writePurse(client, read, { balance: 1, counter: 3, lastTrip: null }));
    expect(badCounter.message).toMatch(/raise the counter by one: the card is at 1, the update says 3/);
    card.leave();
    expect(card.toState()).toEqual(image);
  });

  it('personalizes only sectors 1 to 3 and refuses a card that is not blank', async () => {
    const blank = VirtualClassicCard.blank(UID);
    const card = await issuedCard();
    const changed = blank.toState().blocks.flatMap((b, i) => (b === card.toState().blocks[i] ? [] : [i]));
    // Info, head A, body A's second block (its first is all zero without a trip), the three trailers.
    expect(changed).toEqual([4, 5, 7, 9, 11, 15]);
    expect(card.block(7).subarray(6, 10).toString('hex')).toBe('78778869');

    const again = await failure(codec.personalize(clientFor(card), UID, issue()));
    expect(again.code).toBe(ErrorCode.InvalidState);
    expect(again.message).toMatch(/not blank: sector 1 refused the transport key/);
  });

  it('refuses fields that do not fit at personalization, leaving the card blank', async () => {
    const card = VirtualClassicCard.blank(UID);
    const blank = card.toState();
    expect((await failure(codec.personalize(clientFor(card), UID, issue({ number: '12345678901234567890' })))).message).toMatch(/1 to 19 decimal digits/);
    expect((await failure(codec.personalize(clientFor(card), UID, issue({ category: 'pilot' })))).message).toMatch(/known: adult, student/);
    expect((await failure(codec.personalize(clientFor(card), UID, issue({ expires: '2029-02-30' })))).message).toMatch(/expiry date "2029-02-30"/);
    expect(card.toState()).toEqual(blank);
  });

  it('falls back to the other slot when the newest does not check out, and gives up when neither does', async () => {
    const card = await issuedCard();
    let client = clientFor(card);
    await codec.writePurse(client, await codec.readCard(client, UID), { balance: 463_000, counter: 1, lastTrip: trip() });
    card.leave();
    await poke(card, SLOTS.B.body[1], Buffer.alloc(16, 0x55));
    const fallback = await readBack(card);
    expect(fallback.current).toBe('A');
    expect(fallback.data).toMatchObject({ counter: 0, balance: 500_000 });

    await poke(card, SLOTS.A.body[0], Buffer.alloc(16, 0x55));
    client = clientFor(card);
    expect(await failure(codec.readCard(client, UID))).toEqual({
      code: ErrorCode.CardUnreadable,
      message: 'no purse slot checks out (slot B: crc32 mismatch; slot A: crc32 mismatch)',
    });
  });

  it('says why a card is unreadable: foreign keys, not personalized, another layout version', async () => {
    const blank = await failure(codec.readCard(clientFor(VirtualClassicCard.blank(UID)), UID));
    expect(blank.code).toBe(ErrorCode.CardAuthFailed);
    expect(blank.message).toMatch(/sector 1 refused the Qom key B/);

    const card = await issuedCard();
    const info = card.block(4);
    await poke(card, 4, Buffer.alloc(16));
    expect(await failure(codec.readCard(clientFor(card), UID))).toMatchObject({ code: ErrorCode.CardUnreadable, message: expect.stringMatching(/not personalized/) as unknown });
    info[0] = 7;
    await poke(card, 4, info);
    expect(await failure(codec.readCard(clientFor(card), UID))).toMatchObject({ code: ErrorCode.CardUnreadable, message: expect.stringMatching(/layout version 7/) as unknown });
  });

  it('reads a category code this build does not know, so the fare rules can reject it', () => {
    const block = encodeInfo(issue());
    block[11] = 0x80 | 9;
    expect(decodeInfo(block)).toMatchObject({ category: 'unknown-9', status: 'blocked' });
  });

  it('checks with CRC-32 of UID, info, head and body as zlib computes it', () => {
    const message = Buffer.from('hello');
    expect(crc32Integrity.tag(UID, message).readUInt32BE(0)).toBe(crc32(Buffer.concat([UID, message])));
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
