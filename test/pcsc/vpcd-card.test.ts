import { once } from 'node:events';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createNfc, type Nfc, type NfcReader } from '../../device/pcsc/nfc-pcsc.ts';
import { VirtualClassicCard } from '../../device/mifare/virtual-classic-card.ts';
import { CLASSIC_1K_ATR, type VpcdCard } from '../../device/sim/vpcd-card.ts';
import { vpcdReaderName } from '../support/pcscd.ts';
import { describeStack, issuedCard, vpcdCard } from './helpers.ts';

/** nfc-pcsc as it comes, without our adapter: what a VpcdCard looks like to a PC/SC application. */
class RawNfc {
  private readonly nfc: Nfc = createNfc();
  private readonly readers = new Map<string, NfcReader>();
  private readonly cards = new Map<string, { atr?: Buffer }[]>();

  constructor() {
    this.nfc.on('error', () => undefined);
    this.nfc.on('reader', (reader: NfcReader) => {
      reader.autoProcessing = false;
      reader.on('error', () => undefined);
      reader.on('card', (card: { atr?: Buffer }) => this.cards.get(reader.name)?.push(card));
      this.cards.set(reader.name, []);
      this.readers.set(reader.name, reader);
    });
  }

  /** The reader, once nfc-pcsc has announced it. */
  async reader(name: string): Promise<NfcReader> {
    for (let i = 0; i < 100 && !this.readers.has(name); i++) await new Promise((r) => setTimeout(r, 20));
    const reader = this.readers.get(name);
    if (!reader) throw new Error(`nfc-pcsc did not announce ${name}`);
    return reader;
  }

  /** Inserts the card and resolves once nfc-pcsc has connected to it, with what its 'card' event said. */
  async insert(card: VpcdCard, index: number): Promise<{ reader: NfcReader; atr: Buffer | undefined }> {
    const reader = await this.reader(vpcdReaderName(index));
    const connected = once(reader, 'card') as Promise<[{ atr?: Buffer }]>;
    await card.insert(index);
    const [event] = await connected;
    return { reader, atr: event.atr };
  }

  async close(): Promise<void> {
    // Outside the readers' own events, after every one of them has an 'error' listener.
    await new Promise((r) => setImmediate(r));
    for (const reader of this.readers.values()) reader.close();
    this.nfc.close();
  }
}

async function send(reader: NfcReader, hex: string): Promise<string> {
  return (await reader.transmit(Buffer.from(hex.replace(/\s+/g, ''), 'hex'), 258)).toString('hex').toUpperCase();
}

describeStack('VpcdCard on pcscd', () => {
  let nfc: RawNfc;
  const inserted: VpcdCard[] = [];

  beforeEach(() => {
    nfc = new RawNfc();
  });

  afterEach(async () => {
    for (const card of inserted.splice(0)) await card.remove();
    await nfc.close();
  });

  function vpcd(card: VirtualClassicCard): VpcdCard {
    const v = vpcdCard(card);
    inserted.push(v);
    return v;
  }

  it('is seen by nfc-pcsc with the MIFARE Classic ATR and its UID, and answers APDUs like the card', async () => {
    const card = vpcd(VirtualClassicCard.blank(Buffer.from('0A0B0C0D', 'hex')));
    const { reader, atr } = await nfc.insert(card, 0);
    expect(atr).toEqual(CLASSIC_1K_ATR);
    expect(await send(reader, 'FF CA 00 00 00')).toBe('0A0B0C0D9000');
    // Blank: the transport key opens sector 1, a block written reads back.
    expect(await send(reader, 'FF 82 00 00 06 FFFFFFFFFFFF')).toBe('9000');
    expect(await send(reader, 'FF 86 00 00 05 01 00 04 60 00')).toBe('9000');
    expect(await send(reader, 'FF D6 00 04 10 00112233445566778899AABBCCDDEEFF')).toBe('9000');
    expect(await send(reader, 'FF B0 00 04 10')).toBe('00112233445566778899AABBCCDDEEFF9000');
    expect(await send(reader, 'FF B0 00 00 10')).toBe('6982'); // sector 0 is not the authenticated one
    expect(card.exchanges).toBe(6);
  });

  it('answers a wrong key as the card does (63 00), and a read without authentication with 69 82', async () => {
    const card = vpcd(await issuedCard('1A2B3C4D'));
    const { reader } = await nfc.insert(card, 1);
    expect(await send(reader, 'FF 82 00 00 06 FFFFFFFFFFFF')).toBe('9000');
    expect(await send(reader, 'FF 86 00 00 05 01 00 04 61 00')).toBe('6300');
    expect(await send(reader, 'FF B0 00 04 10')).toBe('6982');
  });

  it('keeps its memory from one insertion to the next, and reports each write', async () => {
    let writes = 0;
    const card = vpcdCard(VirtualClassicCard.blank(Buffer.from('2B3C4D5E', 'hex')), { onWrite: () => (writes += 1) });
    inserted.push(card);
    let { reader } = await nfc.insert(card, 0);
    await send(reader, 'FF 82 00 00 06 FFFFFFFFFFFF');
    await send(reader, 'FF 86 00 00 05 01 00 08 60 00');
    expect(await send(reader, 'FF D6 00 09 10 0102030405060708090A0B0C0D0E0F10')).toBe('9000');
    expect(writes).toBe(1);
    await card.remove();
    expect(card.card.present).toBe(false);

    ({ reader } = await nfc.insert(card, 0));
    expect(card.exchanges).toBe(0);
    // A new field session: the key slot is empty again (69 86) until loaded.
    expect(await send(reader, 'FF 86 00 00 05 01 00 08 60 00')).toBe('6986');
    await send(reader, 'FF 82 00 00 06 FFFFFFFFFFFF');
    await send(reader, 'FF 86 00 00 05 01 00 08 60 00');
    expect(await send(reader, 'FF B0 00 09 10')).toBe('0102030405060708090A0B0C0D0E0F10' + '9000');
  });

  it('vanishes at its Nth exchange: no answer, the connection closes, nfc-pcsc sees the card go', async () => {
    const card = vpcd(VirtualClassicCard.blank(Buffer.from('3C4D5E6F', 'hex')));
    const { reader } = await nfc.insert(card, 1);
    card.vanishAfter(2, 'written');
    const off = once(reader, 'card.off');
    await send(reader, 'FF 82 00 00 06 FFFFFFFFFFFF');
    await send(reader, 'FF 86 00 00 05 01 00 04 60 00');
    // The third exchange is cut: vpcd answers the application with nothing, and the write landed (torn: written).
    expect(await send(reader, 'FF D6 00 04 10 CAFECAFECAFECAFECAFECAFECAFECAFE')).toBe('');
    await off;
    expect(card.isInserted).toBe(false);
    expect(card.exchanges).toBe(3);
    expect(card.card.block(4).toString('hex').toUpperCase()).toBe('CAFE'.repeat(8));
    await expect(send(reader, 'FF CA 00 00 00')).rejects.toThrow();
  });

  it('refuses a second insertion while inserted', async () => {
    const card = vpcd(VirtualClassicCard.blank(Buffer.from('4D5E6F70', 'hex')));
    await nfc.insert(card, 0);
    await expect(card.insert(1)).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });
});
