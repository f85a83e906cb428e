import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ClassicClient } from '../../device/mifare/classic-client.ts';
import type { VirtualClassicCard } from '../../device/mifare/virtual-classic-card.ts';
import { VirtualCardTransport } from '../../device/sim/virtual-card-transport.ts';
import type { StatusReport } from '../../src/app/status-report.ts';
import { callControl } from '../../src/control/control-client.ts';
import type { CardData } from '../../src/domain/card.ts';
import type { TapRecord } from '../../src/journal/types.ts';
import { TEST_KEY_FILE } from '../device/helpers.ts';
import { Daemon } from '../support/daemon.ts';
import { restartPcscd, stopPcscd, startPcscd, vpcdReaderName } from '../support/pcscd.ts';
import { describeStack, issuedCard, stackCodec, vpcdCard } from './helpers.ts';

const SAMPLE_FARES = fileURLToPath(new URL('../../fares/qom-1404', import.meta.url));
const FARE = 37_000;
const START = 5_000_000;

/** The card as it reads now, out of any reader. */
async function onCard(card: VirtualClassicCard): Promise<CardData> {
  card.enterField();
  try {
    return (await stackCodec.readCard(new ClassicClient(new VirtualCardTransport(card), { exchangeTimeoutMs: 100 }), card.uid)).data;
  } finally {
    card.leave();
  }
}

/**
 * `validator run` on vpcd's two readers through nfc-pcsc and pcscd, as on a bus: the composition root,
 * the pipeline and the journal of the real daemon, with TypeScript cards in place of the chips.
 */
describeStack('the validator daemon on the real PC/SC stack', () => {
  let dir: string;
  let daemon: Daemon;
  const status = async (): Promise<StatusReport> => (await callControl(daemon.socket, 'status', {}, { timeoutMs: 5_000 })) as StatusReport;
  const records = async (): Promise<TapRecord[]> =>
    ((await callControl(daemon.socket, 'taps', { since: 0, limit: 10_000 }, { timeoutMs: 5_000 })) as { records: TapRecord[] }).records;

  /** Waits until the journal has more than `count` records and no debit is open, then returns them. */
  async function settled(count: number, ms = 10_000): Promise<TapRecord[]> {
    const until = Date.now() + ms;
    for (;;) {
      const [list, s] = [await records(), await status()];
      if (list.length > count && s.journal.openIntents === 0) return list;
      if (Date.now() > until) throw new Error(`journal did not settle past ${count} records within ${ms} ms (it has ${list.length}, ${s.journal.openIntents} open)`);
      await delay(50);
    }
  }

  async function readersReady(ms: number): Promise<number> {
    const start = Date.now();
    for (;;) {
      const s = await status().catch(() => null);
      if (s && s.readers.every((r) => r.state.kind === 'ready')) return Date.now() - start;
      if (Date.now() - start > ms) throw new Error(`readers not ready within ${ms} ms: ${JSON.stringify(s?.readers)}`);
      await delay(50);
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qom-daemon-pcsc-'));
    const keys = join(dir, 'keys.json');
    copyFileSync(TEST_KEY_FILE, keys);
    chmodSync(keys, 0o600);
    mkdirSync(join(dir, 'state'));
    daemon = new Daemon(
      join(dir, 'state'),
      {
        readers: [
          { id: 'front', name: vpcdReaderName(0) },
          { id: 'rear', name: vpcdReaderName(1) },
        ],
        keys: { file: keys },
        // Every tap of the same card is another rider paying: the tearing rounds tap one card many times.
        fares: { bundle: SAMPLE_FARES, repeatWindowSeconds: 0 },
        log: { level: 'warn' },
      },
      'pcsc',
    );
    await daemon.start();
    await readersReady(10_000);
  }, 60_000);
  afterAll(async () => {
    await daemon.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('debits cards at both doors: card balances and the journal agree, each tap with its door', async () => {
    const a = await issuedCard('C0DE0001', { number: '9826000000001001', balance: START });
    const b = await issuedCard('C0DE0002', { number: '9826000000001002', category: 'student', balance: START });
    const front = vpcdCard(a);
    const rear = vpcdCard(b);
    const before = (await records()).length;
    await Promise.all([front.insert(0), rear.insert(1)]);
    const list = await settled(before + 1);
    await Promise.all([front.remove(), rear.remove()]);
    const mine = (uid: string): TapRecord | undefined => list.find((r) => r.cardUid === uid);
    expect(mine('C0DE0001')).toMatchObject({ reader: 'front', result: 'accepted', fare: FARE, balanceAfter: START - FARE });
    expect(mine('C0DE0002')).toMatchObject({ reader: 'rear', result: 'accepted', fare: FARE / 2, balanceAfter: START - FARE / 2 });
    expect(await onCard(a)).toMatchObject({ balance: START - FARE, counter: 1 });
    expect(await onCard(b)).toMatchObject({ balance: START - FARE / 2, counter: 1 });
  });

  it('tears a tap at every exchange; at the next presentation card and journal agree, nothing charged twice or lost', async () => {
    const card = await issuedCard('C0DE0003', { number: '9826000000001003', balance: START });
    const vpcd = vpcdCard(card);
    // The adapter's GET DATA for the UID, then 8 to read and 5 to debit: cut after each of 0..13 answers.
    for (let answered = 0; answered <= 13; answered++) {
      const before = (await records()).length;
      await vpcd.insert(0, { vanish: { afterExchanges: answered, tornWrite: answered % 2 === 0 ? 'written' : 'unchanged' } });
      await vpcd.whenGone();
      await delay(400);
      await vpcd.insert(0);
      await settled(before);
      await vpcd.remove();

      const mine = (await records()).filter((r) => r.cardUid === 'C0DE0003');
      const charged = mine.filter((r) => r.result === 'accepted').reduce((sum, r) => sum + r.fare, 0);
      const now = await onCard(card);
      expect(now.balance, `after a cut at exchange ${answered + 1}`).toBe(START - charged);
      expect(now.counter, `after a cut at exchange ${answered + 1}`).toBe(mine.filter((r) => r.result === 'accepted').length);
      expect(mine.at(-1)).toMatchObject({ result: 'accepted', balanceAfter: now.balance });
    }
    const s = await status();
    expect(s.journal.openIntents).toBe(0);
    // The cuts did land at every stage: writes that never reached the card, and ones that did.
    const mine = (await records()).filter((r) => r.cardUid === 'C0DE0003');
    const resolved = mine.filter((r) => r.intentId !== null);
    expect(mine.map((r) => r.reason)).toContain('DEBIT_NOT_APPLIED');
    expect(mine.filter((r) => r.result === 'accepted').length).toBeLessThan(2 * 14);
    expect(new Set(resolved.map((r) => r.intentId)).size).toBe(resolved.length);
  }, 120_000);

  it('goes out of service while pcscd is down, and takes taps again within 5 s of its return', async () => {
    await stopPcscd();
    const until = Date.now() + 5_000;
    let s = await status();
    while (s.readers.some((r) => r.state.kind !== 'absent') && Date.now() < until) {
      await delay(50);
      s = await status();
    }
    expect(s.readers.map((r) => r.state.kind)).toEqual(['absent', 'absent']);
    expect(s.problems.join('; ')).toContain('reader front absent');

    await startPcscd();
    expect(await readersReady(5_000)).toBeLessThanOrEqual(5_000);
    await restartPcscd();
    expect(await readersReady(5_000)).toBeLessThanOrEqual(5_000);

    const card = await issuedCard('C0DE0004', { number: '9826000000001004', balance: START });
    const vpcd = vpcdCard(card);
    const before = (await records()).length;
    await vpcd.insert(1);
    const list = await settled(before);
    await vpcd.remove();
    expect(list.at(-1)).toMatchObject({ cardUid: 'C0DE0004', reader: 'rear', result: 'accepted', fare: FARE });
  }, 60_000);
});
