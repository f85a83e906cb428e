import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClassicCard } from '../../../device/mifare/virtual-classic-card.ts';
import { CLASSIC_1K_ATR, VpcdCard } from '../../../device/sim/vpcd-card.ts';
import { ErrorCode } from '../../../src/domain/errors.ts';

/** vpcd's side of the protocol, played by the test: it sends frames and reads the card's answers. */
class FakeVpcd {
  readonly server: Server = createServer();
  socket: Socket | null = null;
  private buffer = Buffer.alloc(0);
  private waiting: ((frame: Buffer) => void)[] = [];
  private readonly frames: Buffer[] = [];

  async listen(): Promise<number> {
    this.server.on('connection', (s) => {
      this.socket = s;
      s.on('data', (chunk: Buffer) => this.receive(chunk));
      s.on('error', () => undefined); // a card taken out with an answer unread resets the connection
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return (this.server.address() as AddressInfo).port;
  }

  /** Sends one frame, optionally cut into pieces of `chunk` bytes, as TCP may deliver it. */
  async send(payload: Buffer, chunk = 0): Promise<void> {
    const frame = Buffer.concat([Buffer.from([payload.length >> 8, payload.length & 0xff]), payload]);
    if (chunk <= 0) {
      this.socket!.write(frame);
      return;
    }
    for (let i = 0; i < frame.length; i += chunk) {
      this.socket!.write(frame.subarray(i, i + chunk));
      await new Promise((r) => setTimeout(r, 1));
    }
  }

  /** The card's next answer. */
  next(): Promise<Buffer> {
    const frame = this.frames.shift();
    if (frame) return Promise.resolve(frame);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async exchange(hex: string, chunk = 0): Promise<string> {
    await this.send(Buffer.from(hex.replace(/\s+/g, ''), 'hex'), chunk);
    return (await this.next()).toString('hex').toUpperCase();
  }

  close(): void {
    this.socket?.destroy();
    this.server.close();
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 2 && this.buffer.length >= 2 + this.buffer.readUInt16BE(0)) {
      const frame = this.buffer.subarray(2, 2 + this.buffer.readUInt16BE(0));
      this.buffer = this.buffer.subarray(2 + frame.length);
      const waiter = this.waiting.shift();
      if (waiter) waiter(frame);
      else this.frames.push(frame);
    }
  }
}

const UID = Buffer.from('11223344', 'hex');

describe('VpcdCard (the vpcd protocol, against a stand-in for vpcd)', () => {
  const vpcds: FakeVpcd[] = [];
  const cards: VpcdCard[] = [];

  afterEach(async () => {
    for (const c of cards.splice(0)) await c.remove();
    for (const v of vpcds.splice(0)) v.close();
  });

  /** A card inserted into a fresh stand-in vpcd, which greets it with an ATR request. */
  async function inserted(card = VirtualClassicCard.blank(UID), options: ConstructorParameters<typeof VpcdCard>[1] = {}): Promise<{ vpcd: FakeVpcd; card: VpcdCard }> {
    const vpcd = new FakeVpcd();
    vpcds.push(vpcd);
    const port = await vpcd.listen();
    const v = new VpcdCard(card, { ...options, basePort: port });
    cards.push(v);
    const connected = once(vpcd.server, 'connection');
    const done = v.insert(0);
    await connected;
    await vpcd.send(Buffer.from([4]));
    await done;
    expect(await vpcd.next()).toEqual(CLASSIC_1K_ATR);
    return { vpcd, card: v };
  }

  it('enters the field on connect, answers the ATR request, and APDUs, whatever the TCP chunking', async () => {
    const { vpcd, card } = await inserted();
    expect(card.card.present).toBe(true);
    expect(await vpcd.exchange('FF CA 00 00 00', 1)).toBe('112233449000');
    expect(await vpcd.exchange('FF 82 00 00 06 FFFFFFFFFFFF', 3)).toBe('9000');
    // Two frames in one write.
    const both = Buffer.concat([Buffer.from('0005FFCA000000', 'hex'), Buffer.from('0005FFB0000410', 'hex')]);
    vpcd.socket!.write(both);
    expect((await vpcd.next()).toString('hex').toUpperCase()).toBe('112233449000');
    expect((await vpcd.next()).toString('hex').toUpperCase()).toBe('6982');
    expect(card.exchanges).toBe(4);
  });

  it('treats a power cycle or a reset as a new field session, and ignores what it does not know', async () => {
    const { vpcd } = await inserted();
    expect(await vpcd.exchange('FF 82 00 00 06 FFFFFFFFFFFF')).toBe('9000');
    await vpcd.send(Buffer.from([0])); // power off
    await vpcd.send(Buffer.from([1])); // power on: the key slot is empty again
    expect(await vpcd.exchange('FF 86 00 00 05 01 00 04 60 00')).toBe('6986');
    expect(await vpcd.exchange('FF 82 00 00 06 FFFFFFFFFFFF')).toBe('9000');
    await vpcd.send(Buffer.from([2])); // reset
    expect(await vpcd.exchange('FF 86 00 00 05 01 00 04 60 00')).toBe('6986');
    await vpcd.send(Buffer.from([9])); // unknown control
    await vpcd.send(Buffer.alloc(0)); // empty frame
    expect(await vpcd.exchange('FF CA 00 00 00')).toBe('112233449000');
  });

  it('leaves at its armed exchange without answering, honouring a torn write; and reports writes', async () => {
    let writes = 0;
    const { vpcd, card } = await inserted(VirtualClassicCard.blank(UID), { onWrite: () => (writes += 1) });
    expect(await vpcd.exchange('FF 82 00 00 06 FFFFFFFFFFFF')).toBe('9000');
    expect(await vpcd.exchange('FF 86 00 00 05 01 00 04 60 00')).toBe('9000');
    card.vanishAfter(1, 'written');
    expect(await vpcd.exchange('FF D6 00 04 10 0102030405060708090A0B0C0D0E0F10')).toBe('9000');
    const closed = once(vpcd.socket!, 'close');
    await vpcd.send(Buffer.from('FFD6000510' + 'AA'.repeat(16), 'hex'));
    await closed;
    await card.whenGone();
    expect(card.isInserted).toBe(false);
    expect(card.card.present).toBe(false);
    expect(card.card.block(5).toString('hex')).toBe('aa'.repeat(16));
    expect(writes).toBe(2);
    expect(card.exchanges).toBe(4);
  });

  it('arms a vanish plan given at insertion from its first APDU, so a power cycle before it does not lose it', async () => {
    const vpcd = new FakeVpcd();
    vpcds.push(vpcd);
    const port = await vpcd.listen();
    const card = new VpcdCard(VirtualClassicCard.blank(UID), { basePort: port });
    cards.push(card);
    const inserting = card.insert(0, { vanish: { afterExchanges: 1 } });
    await once(vpcd.server, 'connection');
    await vpcd.send(Buffer.from([4]));
    await inserting;
    await vpcd.next();
    await vpcd.send(Buffer.from([0]));
    await vpcd.send(Buffer.from([1]));
    expect(await vpcd.exchange('FF CA 00 00 00')).toBe('112233449000');
    const closed = once(vpcd.socket!, 'close');
    await vpcd.send(Buffer.from('FFCA000000', 'hex'));
    await closed;
    expect(card.exchanges).toBe(2);
  });

  it('holds its answer back by answerDelayMs, and drops it if taken out meanwhile', async () => {
    const { vpcd, card } = await inserted();
    card.answerDelayMs = 50;
    const start = performance.now();
    expect(await vpcd.exchange('FF CA 00 00 00')).toBe('112233449000');
    expect(performance.now() - start).toBeGreaterThanOrEqual(45);
    await vpcd.send(Buffer.from('FFCA000000', 'hex'));
    await card.remove();
    await new Promise((r) => setTimeout(r, 80));
    expect(card.isInserted).toBe(false);
  });

  it('says how to fix a vpcd port that refuses, and a vpcd that never speaks', async () => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as AddressInfo).port;
    probe.close();
    await once(probe, 'close');
    const card = new VpcdCard(VirtualClassicCard.blank(UID));
    await expect(card.insert({ port })).rejects.toMatchObject({
      code: ErrorCode.ReaderUnavailable,
      message: expect.stringMatching(new RegExp(`vpcd at 127.0.0.1:${port} refused .*start \`pcscd -f -a\` as root, with vsmartcard-vpcd installed`)) as unknown,
    });
    expect(card.isInserted).toBe(false);

    const silent = new FakeVpcd();
    vpcds.push(silent);
    const silentPort = await silent.listen();
    const quiet = new VpcdCard(VirtualClassicCard.blank(UID), { greetingTimeoutMs: 50 });
    await expect(quiet.insert({ port: silentPort })).rejects.toMatchObject({
      code: ErrorCode.ReaderUnavailable,
      message: expect.stringContaining('did not speak to it: another virtual card probably holds that reader') as unknown,
    });
    expect(quiet.card.present).toBe(false);
  });

  it('refuses to be inserted twice', async () => {
    const { card } = await inserted();
    await expect(card.insert(0)).rejects.toMatchObject({ code: ErrorCode.InvalidState });
  });
});
