import { describe, expect, it } from 'vitest';
import { ErrorCode, isValidatorError } from '../../../src/domain/errors.ts';
import { createLogger, silentLogger, type Logger } from '../../../src/log/logger.ts';
import { ClassicClient } from '../../../device/mifare/classic-client.ts';
import { parseTranscript, RecordingTransport, ReplayTransport } from '../../../device/mifare/transcript.ts';
import { VirtualClassicCard } from '../../../device/mifare/virtual-classic-card.ts';
import { VirtualCardTransport } from '../../../device/sim/virtual-card-transport.ts';
import { codec, issuedCard, UID } from '../helpers.ts';

const TRANSPORT = Buffer.alloc(6, 0xff);

function replayClient(transcript: string): ClassicClient {
  return new ClassicClient(new ReplayTransport(transcript), { exchangeTimeoutMs: 100 });
}

async function codeOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (e) {
    if (isValidatorError(e)) return e.code;
    throw e;
  }
  throw new Error('expected a rejection');
}

describe('ClassicClient', () => {
  it('turns status words into typed errors at the edge', async () => {
    expect(await codeOf(replayClient('=> FF 86 00 00 05 01 00 04 60 00\n<= 63 00').authenticate(4, 'A', 0))).toBe(ErrorCode.CardAuthFailed);
    expect(await codeOf(replayClient('=> FF B0 00 04 10\n<= 69 82').readBlock(4))).toBe(ErrorCode.CardAuthFailed);
    expect(await codeOf(replayClient('=> FF B0 00 04 10\n<= 63 00').readBlock(4))).toBe(ErrorCode.CardProtocol);
    expect(await codeOf(replayClient('=> FF B0 00 04 10\n<= 00 11 90 00').readBlock(4))).toBe(ErrorCode.CardProtocol);
    expect(await codeOf(replayClient('=> FF B0 00 04 10\n<= 90').readBlock(4))).toBe(ErrorCode.CardProtocol);
    expect(await codeOf(replayClient('=> FF 86 00 00 05 01 00 04 60 01\n<= 69 86').authenticate(4, 'A', 1))).toBe(ErrorCode.CardProtocol);
    expect(await codeOf(replayClient('=> FF CA 00 00 00\n<= 6A 81').getUid())).toBe(ErrorCode.CardProtocol);
  });

  it('passes transport errors through unchanged', async () => {
    expect(await codeOf(replayClient('=> FF B0 00 04 10\n<= !CARD_REMOVED').readBlock(4))).toBe(ErrorCode.CardRemoved);
    const card = VirtualClassicCard.blank(UID); // never entered a field
    const client = new ClassicClient(new VirtualCardTransport(card), { exchangeTimeoutMs: 100 });
    expect(await codeOf(client.getUid())).toBe(ErrorCode.CardRemoved);
  });

  it('sends a key only when the slot does not hold it already, and counts every exchange', async () => {
    const card = VirtualClassicCard.blank(UID);
    card.enterField();
    const client = new ClassicClient(new VirtualCardTransport(card), { exchangeTimeoutMs: 100 });
    await client.loadKey(0, TRANSPORT);
    await client.loadKey(0, TRANSPORT);
    expect(client.exchanges).toBe(1);
    await client.loadKey(0, Buffer.alloc(6));
    await client.loadKey(1, TRANSPORT);
    expect(client.exchanges).toBe(3);
    expect((await client.getUid()).toString('hex')).toBe(UID.toString('hex'));
    expect(client.exchanges).toBe(4);
  });

  it('refuses to send a trailer whose access bits would lock the sector', async () => {
    const replay = new ReplayTransport('');
    const client = new ClassicClient(replay, { exchangeTimeoutMs: 100 });
    const trailer = Buffer.from('FFFFFFFFFFFF' + 'FF0781' + '69' + 'FFFFFFFFFFFF', 'hex');
    expect(await codeOf(client.writeBlock(7, trailer))).toBe(ErrorCode.BadRequest);
    expect(client.exchanges).toBe(0);
  });

  it('logs hex dumps lazily, with key bytes masked', async () => {
    const exchangeWith = async (log: Logger): Promise<void> => {
      const card = VirtualClassicCard.blank(UID);
      card.enterField();
      await new ClassicClient(new VirtualCardTransport(card), { exchangeTimeoutMs: 100, log }).loadKey(0, Buffer.from('A1A2A3A4A5A6', 'hex'));
    };
    const kinds: string[] = [];
    const recorder: Logger = { ...silentLogger, debug: (m) => void kinds.push(typeof m) };
    await exchangeWith(recorder);
    expect(kinds).toEqual(['function', 'function']); // nothing is formatted unless debug is on

    const lines: string[] = [];
    await exchangeWith(createLogger({ level: 'debug', format: 'journald', write: (l) => lines.push(l) }));
    expect(lines).toEqual(['<7>validator: #1 => FF 82 00 00 06 ** ** ** ** ** **', '<7>validator: #1 <= 90 00']);
  });
});

describe('APDU transcripts', () => {
  it('record a real read and debit and replay it through the same codec', async () => {
    const card = await issuedCard();
    card.enterField();
    const recorder = new RecordingTransport(new VirtualCardTransport(card));
    const live = new ClassicClient(recorder, { exchangeTimeoutMs: 100 });
    const read = await codec.readCard(live, UID);
    await codec.writePurse(live, read, { balance: 463_000, counter: 1, lastTrip: null });
    const transcript = recorder.transcript();
    expect(transcript.split('\n').filter((l) => l.startsWith('=>'))).toHaveLength(13);
    expect(transcript).toMatch(/^=> FF 82 00 00 06 78 5E CC 17 3E 6A\n<= 90 00\n=> FF 86 00 00 05 01 00 04 61 00\n/);

    const replay = new ReplayTransport(transcript);
    const replayed = new ClassicClient(replay, { exchangeTimeoutMs: 100 });
    const again = await codec.readCard(replayed, UID);
    expect(again).toEqual(read);
    await codec.writePurse(replayed, again, { balance: 463_000, counter: 1, lastTrip: null });
    expect(replay.remaining).toBe(0);
  });

  it('fail loudly when the code sends something else than recorded', async () => {
    const client = replayClient('=> FF B0 00 04 10\n<= 00 90 00');
    await expect(client.readBlock(5)).rejects.toThrow(/exchange 1 expected => FF B0 00 04 10, got => FF B0 00 05 10/);
    await expect(replayClient('').getUid()).rejects.toThrow(/transcript ended/);
  });

  it('parse comments and errors, and name the bad line', () => {
    expect(parseTranscript('# a comment\n=> FF CA 00 00 00\n<= !CARD_REMOVED\n')).toEqual([
      { apdu: Buffer.from('FFCA000000', 'hex'), response: ErrorCode.CardRemoved },
    ]);
    expect(() => parseTranscript('=> FF CA 00 00 00\n=> FF CA 00 00 00')).toThrow(/line 2/);
    expect(() => parseTranscript('=> FF CA 00 00 00\n<= !NOPE')).toThrow(/unknown error code NOPE/);
  });
});
