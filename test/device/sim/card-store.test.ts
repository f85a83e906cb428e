import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/domain/errors.ts';
import { Deadline } from '../../../src/domain/time.ts';
import { VirtualClassicCard } from '../../../device/mifare/virtual-classic-card.ts';
import { CardStore } from '../../../device/sim/card-store.ts';
import { QomCardPresentation } from '../../../device/qom-card/qom-card-presentation.ts';
import { VirtualCardTransport } from '../../../device/sim/virtual-card-transport.ts';
import { codec, FakeClock, issuedCard, trip, UID } from '../helpers.ts';
import { BLOCKS_WRITTEN } from './fixtures/kill-mid-writes.ts';

describe('CardStore', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'qom-wallet-'));
  });

  it('keeps every write of a card across a reload, one file per UID, no temp files left', async () => {
    const store = new CardStore(dir);
    const card = store.add(await issuedCard());
    const clock = new FakeClock();
    card.enterField();
    const p = new QomCardPresentation({
      id: 'p', reader: 'front', uid: UID, detectedAt: 0, transport: new VirtualCardTransport(card), codec, exchangeTimeoutMs: 50,
    });
    const deadline = Deadline.in(clock, 300);
    const data = await p.read(deadline);
    await p.writePurse({ balance: data.balance - 37_000, counter: 1, lastTrip: trip() }, deadline);
    card.leave();

    expect(readdirSync(dir)).toEqual(['04A1B2C3.json']);
    const reloaded = new CardStore(dir).load('04a1b2c3');
    expect(reloaded?.toState()).toEqual(card.toState());
    expect(new CardStore(dir).list()).toEqual(['04A1B2C3']);
    expect(new CardStore(dir).load('01020304')).toBeUndefined();
    expect(store.load('04A1B2C3')).toBe(card); // one live card per UID
    expect(() => store.add(VirtualClassicCard.blank(UID))).toThrow(/already has card 04A1B2C3/);
  });

  it('names the damaged file', () => {
    writeFileSync(join(dir, '04A1B2C3.json'), '{"format":"mifare-classic-1k","uid":"04A1B2C3","blocks":[]');
    expect(() => new CardStore(dir).load('04A1B2C3')).toThrow(
      expect.objectContaining({ code: ErrorCode.CardUnreadable, message: expect.stringContaining(join(dir, '04A1B2C3.json')) as unknown }),
    );
    writeFileSync(join(dir, '01020304.json'), JSON.stringify(VirtualClassicCard.blank(UID).toState()));
    expect(() => new CardStore(dir).load('01020304')).toThrow(/holds card 04A1B2C3/);
  });

  it.each([1, 3, 6])('keeps a card exactly as its last write left it when the process is SIGKILLed (after write %i)', (n) => {
    const script = fileURLToPath(new URL('./fixtures/kill-mid-writes.ts', import.meta.url));
    const child = spawnSync(process.execPath, ['--import', 'tsx', script, dir, String(n)], { encoding: 'utf8' });
    expect(child.signal).toBe('SIGKILL');
    const card = new CardStore(dir).load('04A1B2C3')!;
    BLOCKS_WRITTEN.forEach((block, i) => {
      expect(card.block(block)).toEqual(Buffer.alloc(16, i < n ? block : 0));
    });
  });
});
