import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { PcscReaders } from '../../../device/pcsc/pcsc-readers.ts';
import { ErrorCode } from '../../../src/domain/errors.ts';
import { createLogger } from '../../../src/log/logger.ts';
import { codec, FakeClock } from '../helpers.ts';

/** PcscReaders where no pcscd answers: nothing of the real stack is needed, nor touched. */
function offline(lines: string[] = []): PcscReaders {
  return new PcscReaders({
    readers: [
      { id: 'front', pattern: /00 00/ },
      { id: 'rear', pattern: /00 01/ },
    ],
    codec,
    clock: new FakeClock(),
    ids: { uuid: () => 'p' },
    exchangeTimeoutMs: 100,
    retryIntervalMs: 10,
    pcscdSocket: join(mkdtempSync(join(tmpdir(), 'qom-nopcscd-')), 'pcscd.comm'),
    createNfc: () => {
      throw new Error('nfc-pcsc must not be constructed while pcscd does not answer: its constructor would spin');
    },
    log: createLogger({ level: 'info', format: 'json', write: (l) => lines.push(String((JSON.parse(l) as { msg: unknown }).msg)) }),
  });
}

describe('PcscReaders without pcscd', () => {
  it('keeps every door absent, saying why, never builds nfc-pcsc, and logs the outage once', async () => {
    const lines: string[] = [];
    const readers = offline(lines);
    await new Promise((r) => setTimeout(r, 60));
    for (const reader of readers.readers) {
      expect(await firstValueFrom(reader.state$)).toMatchObject({ kind: 'absent', reason: expect.stringMatching(/^pcscd is not running \(nothing answers on .*pcscd\.comm\)$/) as unknown });
    }
    expect(lines).toEqual([expect.stringMatching(/^pcscd does not answer on .*; trying every 10 ms$/)]);
    await readers.close();
  });

  it('closes completely: both streams of each door complete, and closing twice is harmless', async () => {
    const readers = offline();
    const completed: string[] = [];
    for (const r of readers.readers) {
      r.state$.subscribe({ complete: () => completed.push(`${r.id} state`) });
      r.presentations$.subscribe({ complete: () => completed.push(`${r.id} presentations`) });
    }
    await Promise.all([readers.close(), readers.close()]);
    expect(completed.sort()).toEqual(['front presentations', 'front state', 'rear presentations', 'rear state']);
  });

  it('closes everything when the application closes each door', async () => {
    const readers = offline();
    let done = false;
    readers.reader('rear').state$.subscribe({ complete: () => (done = true) });
    await readers.reader('front').close();
    expect(done).toBe(false);
    await readers.reader('rear').close();
    expect(done).toBe(true);
  });

  it('refuses a bad reader list, and names the configured doors for an unknown one', async () => {
    const readers = offline();
    expect(() => readers.reader('middle')).toThrow('no reader "middle" is configured (configured: front, rear)');
    await readers.close();
    expect(
      () =>
        new PcscReaders({ readers: [{ id: 'a', pattern: /x/ }, { id: 'a', pattern: /y/ }], codec, clock: new FakeClock(), ids: { uuid: () => 'p' }, exchangeTimeoutMs: 1 }),
    ).toThrow(expect.objectContaining({ code: ErrorCode.ConfigInvalid }));
  });
});
