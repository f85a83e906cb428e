import { describe, expect, it } from 'vitest';
import { VirtualClassicCard } from '../../../device/mifare/virtual-classic-card.ts';
import { SLOTS } from '../../../device/qom-card/layout.ts';
import { clientFor, codec, issue, issuedCard, trip, UID } from '../helpers.ts';
import { failure, poke } from './card-tools.ts';

/**
 * Exchanges per tap, measured on the virtual card. The issue aims at 12 for an accepted debit; layout v1
 * takes 13, whichever slot is current. docs/card-layout.md ("Exchanges") shows why 12 would need slots
 * too small for the last-trip record the fare rules need.
 */
describe('exchange count', () => {
  it('reads in 8 exchanges and debits in 5, from either slot: 13 for an accepted debit', async () => {
    const card = await issuedCard();
    const counts: [string, number, number][] = [];
    for (let i = 1; i <= 4; i++) {
      const client = clientFor(card);
      const read = await codec.readCard(client, UID);
      const afterRead = client.exchanges;
      await codec.writePurse(client, read, { balance: read.data.balance - 37_000, counter: i, lastTrip: trip() });
      counts.push([read.current, afterRead, client.exchanges]);
      card.leave();
    }
    expect(counts).toEqual([
      ['A', 8, 13],
      ['B', 8, 13],
      ['A', 8, 13],
      ['B', 8, 13],
    ]);
  });

  it('blocks and tops up in the same 8 + 5', async () => {
    const card = await issuedCard();
    let client = clientFor(card);
    let read = await codec.readCard(client, UID);
    await codec.writePurse(client, read, { balance: read.data.balance + 200_000, counter: 1, lastTrip: read.data.lastTrip });
    expect(client.exchanges).toBe(13);
    client = clientFor(card);
    read = await codec.readCard(client, UID);
    await codec.block(client, read);
    expect(client.exchanges).toBe(13);
  });

  it('reads a card with no debit needed in 8 (a rejection or "already paid")', async () => {
    const client = clientFor(await issuedCard());
    await codec.readCard(client, UID);
    expect(client.exchanges).toBe(8);
  });

  it('takes 3 more to fall back when the newer head is torn', async () => {
    const card = await issuedCard();
    const client = clientFor(card);
    await codec.writePurse(client, await codec.readCard(client, UID), { balance: 1, counter: 1, lastTrip: null });
    card.leave();
    await poke(card, SLOTS.B.head, Buffer.alloc(16, 0xee));
    const again = clientFor(card);
    expect((await codec.readCard(again, UID)).current).toBe('A');
    expect(again.exchanges).toBe(11);
  });

  it('tells a blank card in 4 (our key refused, the transport key accepted), and inspects in 11', async () => {
    const blank = clientFor(VirtualClassicCard.blank(UID));
    await failure(codec.readCard(blank, UID));
    expect(blank.exchanges).toBe(4);
    const client = clientFor(await issuedCard(issue()));
    await codec.inspect(client, UID);
    expect(client.exchanges).toBe(11);
  });
});
