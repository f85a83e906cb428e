import { describe, expect, it } from 'vitest';
import { PcscTransport, type Transmit } from '../../../device/pcsc/pcsc-transport.ts';
import { ErrorCode } from '../../../src/domain/errors.ts';

const OK = Buffer.from('9000', 'hex');
const APDU = Buffer.from('FFCA000000', 'hex');

/** A reader.transmit whose answers the test gives, one call at a time. */
class Script {
  readonly calls: Buffer[] = [];
  private pending: { resolve: (b: Buffer) => void; reject: (e: unknown) => void }[] = [];
  readonly transmit: Transmit = (apdu) => {
    this.calls.push(apdu);
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  };

  answer(response: Buffer): void {
    this.pending.shift()?.resolve(response);
  }

  fail(e: unknown): void {
    this.pending.shift()?.reject(e);
  }
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('PcscTransport', () => {
  it('passes an APDU to reader.transmit and resolves with the whole response, counting exchanges', async () => {
    const script = new Script();
    const t = new PcscTransport(script.transmit, 'front');
    const exchange = t.exchange(APDU, 100);
    script.answer(Buffer.from('04A1B2C39000', 'hex'));
    expect((await exchange).toString('hex')).toBe('04a1b2c39000');
    expect(script.calls).toEqual([APDU]);
    expect(t.exchanges).toBe(1);
  });

  it('refuses a second exchange while one is in flight, without sending it', async () => {
    const script = new Script();
    const t = new PcscTransport(script.transmit, 'front');
    const first = t.exchange(APDU, 100);
    await expect(t.exchange(APDU, 100)).rejects.toMatchObject({ code: ErrorCode.ReaderBusy });
    script.answer(OK);
    await first;
    expect(script.calls).toHaveLength(1);
  });

  it('times out, takes no command until the late answer is in, drops that answer, then goes on', async () => {
    const script = new Script();
    const t = new PcscTransport(script.transmit, 'front');
    await expect(t.exchange(APDU, 20)).rejects.toMatchObject({ code: ErrorCode.ReaderTimeout, message: expect.stringContaining('20 ms') as unknown });
    await expect(t.exchange(APDU, 20)).rejects.toMatchObject({ code: ErrorCode.ReaderBusy });
    script.answer(Buffer.from('DEAD9000', 'hex')); // the late answer: nobody may see it
    await tick();
    const next = t.exchange(APDU, 100);
    script.answer(OK);
    expect(await next).toEqual(OK);
    expect(script.calls).toHaveLength(2);
  });

  it('takes an empty response for a card gone mid-exchange: CardRemoved, now and for every later exchange', async () => {
    const script = new Script();
    const t = new PcscTransport(script.transmit, 'front');
    const exchange = t.exchange(APDU, 100);
    script.answer(Buffer.alloc(0));
    await expect(exchange).rejects.toMatchObject({ code: ErrorCode.CardRemoved });
    await expect(t.exchange(APDU, 100)).rejects.toMatchObject({ code: ErrorCode.CardRemoved });
    expect(script.calls).toHaveLength(1);
  });

  it('fails the exchange in flight at once when the card leaves (card.off), and a later transmit error harmlessly', async () => {
    const script = new Script();
    const t = new PcscTransport(script.transmit, 'front');
    const exchange = t.exchange(APDU, 1_000);
    t.end(ErrorCode.CardRemoved, 'the card left the field');
    await expect(exchange).rejects.toMatchObject({ code: ErrorCode.CardRemoved, message: 'the card left the field' });
    script.fail(new Error('SCardTransmit error: Card was removed.(0x80100069)'));
    await tick();
    await expect(t.exchange(APDU, 100)).rejects.toMatchObject({ code: ErrorCode.CardRemoved });
  });

  it('maps what reader.transmit throws, at once or later, to the contract\'s errors', async () => {
    const notConnected: Transmit = () => {
      throw Object.assign(new Error('No card or connection available.'), { code: 'card_not_connected' });
    };
    await expect(new PcscTransport(notConnected, 'front').exchange(APDU, 100)).rejects.toMatchObject({ code: ErrorCode.CardRemoved });

    const script = new Script();
    const t = new PcscTransport(script.transmit, 'rear');
    const exchange = t.exchange(APDU, 100);
    script.fail(Object.assign(new Error('An error occurred while transmitting.'), { previous: new Error('SCardTransmit error: RPC transport error.(0x80100013)') }));
    await expect(exchange).rejects.toMatchObject({ code: ErrorCode.ReaderUnavailable, message: expect.stringContaining('rear') as unknown });
    await expect(t.exchange(APDU, 100)).rejects.toMatchObject({ code: ErrorCode.ReaderUnavailable });
  });
});
