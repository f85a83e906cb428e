import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ClassicClient } from '../../../device/mifare/classic-client.ts';
import { ReplayTransport } from '../../../device/mifare/transcript.ts';
import { codec, issue, trip, UID } from '../helpers.ts';

/** A recorded read and debit: the layout's bytes and the codec's APDU sequence, pinned. */
const transcript = readFileSync(new URL('./fixtures/read-and-debit.apdu', import.meta.url), 'utf8');

describe('layout v1, as recorded', () => {
  it('replays a read and a debit byte for byte through the codec', async () => {
    const replay = new ReplayTransport(transcript);
    const client = new ClassicClient(replay, { exchangeTimeoutMs: 100 });
    const read = await codec.readCard(client, UID);
    expect(read.data).toEqual({ uid: '04A1B2C3', layoutVersion: 1, ...issue() });
    const written = await codec.writePurse(client, read, { balance: 463_000, counter: 1, lastTrip: trip() });
    expect(written.current).toBe('B');
    expect(replay.remaining).toBe(0);
    expect(client.exchanges).toBe(13);
  });
});
