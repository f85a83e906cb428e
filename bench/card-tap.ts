/**
 * A whole accepted tap through the real pipeline: the Qom Card codec (AES-CMAC, AN10922 keys) over a
 * virtual MIFARE Classic 1K answering at once, the sample GTFS fare bundle, the deny list, two durable
 * journal commits and the feedback screen. The card's own time (the virtual card answering) is timed
 * apart and taken out, so what remains is the validator's software time per tap, the part a faster
 * reader cannot shorten.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CmacIntegrity } from '../device/crypto/cmac-integrity.ts';
import { FileKeyStore } from '../device/crypto/key-file.ts';
import { keyFileText } from '../device/crypto/key-file-format.ts';
import { SimulatedFeedbackUnit } from '../device/feedback/simulated-feedback-unit.ts';
import { ClassicClient } from '../device/mifare/classic-client.ts';
import { VirtualClassicCard } from '../device/mifare/virtual-classic-card.ts';
import { QomCardCodec } from '../device/qom-card/qom-card-codec.ts';
import { SimulatedReader } from '../device/sim/simulated-reader.ts';
import { VirtualCardTransport } from '../device/sim/virtual-card-transport.ts';
import { MemoryDenyList } from '../src/deny-list/file-deny-list.ts';
import { randomIds } from '../src/domain/ids.ts';
import { systemClock } from '../src/domain/time.ts';
import { requireBundle } from '../src/fares/load-fare-bundle.ts';
import { loadFareBundleDir } from '../src/fares/read-bundle-dir.ts';
import { ScheduledFarePolicy } from '../src/fares/scheduled-fare-policy.ts';
import { screenFor } from '../src/feedback/messages.ts';
import { openJournal } from '../src/journal/open-journal.ts';
import { silentLogger } from '../src/log/logger.ts';
import { TapPipeline } from '../src/pipeline/tap-pipeline.ts';
import { summarize, type Summary } from './percentiles.ts';

export interface CardTapBenchResult {
  readonly taps: number;
  /** Detection to outcome, milliseconds. */
  readonly total: Summary;
  /** The virtual card's own share (answering APDUs), milliseconds. */
  readonly card: Summary;
  /** Total minus the card's share: the validator's software time per tap, its two fsyncs included. */
  readonly software: Summary;
  /** CPU time the process spent per tap (user + system, all threads): software time without waiting on the disk. */
  readonly cpu: Summary;
  /** APDU exchanges of each accepted tap (read + debit); all taps had this many. */
  readonly exchanges: readonly number[];
}

const SAMPLE_BUNDLE = fileURLToPath(new URL('../fares/qom-1404', import.meta.url));
const GOAL_P99_MS = 5;
export const CARD_TAP_GOAL_P99_MS = GOAL_P99_MS;

/** Runs `taps` accepted taps (after `warmup`) on one card, each a read and a debit, journaled in `dir`. */
export async function runCardTapBench(dir: string, options: { taps?: number; warmup?: number } = {}): Promise<CardTapBenchResult> {
  const taps = options.taps ?? 1000;
  const warmup = options.warmup ?? 100;
  const keys = FileKeyStore.fromText(
    keyFileText({ systemIdentifier: 'Qom Card bench', sectorMaster: randomBytes(16), macMaster: randomBytes(16) }),
    'bench keys (random, this run only)',
  );
  const codec = new QomCardCodec({ keys, integrity: new CmacIntegrity(keys) });
  const card = VirtualClassicCard.blank(Buffer.from('B3AC4D01', 'hex'));
  card.enterField();
  await codec.personalize(new ClassicClient(new VirtualCardTransport(card), { exchangeTimeoutMs: 100 }), card.uid, {
    number: '9826000000000777',
    category: 'adult',
    issued: '2025-03-21',
    expires: '2099-03-20',
    status: 'active',
    balance: 2_000_000_000,
    counter: 0,
    lastTrip: null,
  });
  card.leave();

  // The card's own time: every APDU it answers, measured around its transmit.
  let cardNs = 0n;
  const transmit = card.transmit.bind(card);
  card.transmit = (apdu: Buffer): Buffer => {
    const start = process.hrtime.bigint();
    try {
      return transmit(apdu);
    } finally {
      cardNs += process.hrtime.bigint() - start;
    }
  };

  const journal = openJournal({
    path: join(dir, 'card-tap.db'),
    clock: systemClock,
    log: silentLogger,
    minFreeBytes: 0,
    retentionMs: 30 * 86_400_000,
    pruneWhenFreeBelowBytes: 0,
  });
  // Repeat window 0: the same card taps again and again, each tap a new rider paying.
  const fares = new ScheduledFarePolicy([requireBundle(loadFareBundleDir(SAMPLE_BUNDLE), SAMPLE_BUNDLE)], { repeatWindowMs: 0, negativeAllowance: 0 }, systemClock);
  const denyList = new MemoryDenyList('bench', Array.from({ length: 5000 }, (_, i) => ({ cardNumber: String(9826000100000000 + i), reason: 'lost' })));
  const messages = { moneyUnit: 'toman' as const, lowBalance: 74_000 };
  const display = new SimulatedFeedbackUnit(screenFor({ kind: 'welcome' }, messages));
  const reader = new SimulatedReader({ id: 'front', codec, clock: systemClock, ids: randomIds, exchangeTimeoutMs: 150 });
  const pipeline = new TapPipeline({
    journal,
    sources: {
      denyList: () => denyList,
      fares: () => fares,
      context: () => ({ device: 'QOM-DEV-0001', vehicle: 'BUS-0001', route: '12', stop: null }),
      position: () => null,
    },
    feedbackFor: () => display,
    clock: systemClock,
    ids: randomIds,
    log: silentLogger,
    settings: { budgetMs: 300, resumeWindowMs: 120_000, timeZone: 'Asia/Tehran', messages },
  });

  const total: number[] = [];
  const cardShare: number[] = [];
  const cpu: number[] = [];
  const exchanges = new Set<number>();
  try {
    for (let i = 0; i < warmup + taps; i++) {
      cardNs = 0n;
      const presentation = reader.present(card);
      const cpuStart = process.cpuUsage();
      const start = process.hrtime.bigint();
      const outcome = await pipeline.process(presentation);
      const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
      const cpuUsed = process.cpuUsage(cpuStart);
      reader.remove();
      if (outcome.notice.kind !== 'accepted') throw new Error(`bench tap ${i} was not accepted: ${outcome.screen.english}`);
      if (i < warmup) continue;
      const cardMs = Number(cardNs) / 1e6;
      total.push(elapsed);
      cardShare.push(cardMs);
      cpu.push((cpuUsed.user + cpuUsed.system) / 1000);
      exchanges.add(presentation.exchanges);
    }
  } finally {
    await pipeline.drain();
    pipeline.close();
    await reader.close();
    journal.close();
  }
  return {
    taps,
    total: summarize(total),
    card: summarize(cardShare),
    software: summarize(total.map((t, i) => t - (cardShare[i] ?? 0))),
    cpu: summarize(cpu),
    exchanges: [...exchanges].sort((a, b) => a - b),
  };
}

export function formatCardTapBench(r: CardTapBenchResult): string[] {
  const row = (name: string, s: Summary): string => `${name.padEnd(44)}${String(s.n).padStart(7)}${s.p50.toFixed(3).padStart(10)}${s.p99.toFixed(3).padStart(10)}`;
  return [
    `${'accepted card tap, real pipeline'.padEnd(44)}${'n'.padStart(7)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}`,
    row('detection to outcome', r.total),
    row('  of which the virtual card answering', r.card),
    row('  software per tap (goal p99 ≤ 5 ms)', r.software),
    row('  CPU per tap, no disk waits (user + sys)', r.cpu),
    `APDU exchanges per accepted tap: ${r.exchanges.join(', ')}`,
  ];
}

export function cardTapBenchMarkdown(r: CardTapBenchResult): string {
  const ms = (v: number): string => v.toFixed(3);
  const verdict = r.software.p99 <= GOAL_P99_MS ? `within the goal of p99 ≤ ${GOAL_P99_MS} ms` : `**over the goal of p99 ≤ ${GOAL_P99_MS} ms**`;
  return `## A card tap, end to end in software

An accepted tap through the real \`TapPipeline\`: a Qom Card (layout v1, AES-CMAC, AN10922 keys) read and
debited through \`QomCardCodec\` over a virtual MIFARE Classic 1K that answers at once, the sample
GTFS-Fares bundle (\`fares/qom-1404\`), a 5,000-card deny list, the debit's two durable journal commits,
and the feedback screen. The virtual card's own time is measured around its \`transmit\` and taken
out: what remains is the validator's software time per tap, which a faster reader cannot shorten.
On a real reader add the exchanges' round trips (about 2–5 ms each on ACR122U-class readers).

| path | n | p50 ms | p99 ms | mean ms |
|---|---|---|---|---|
| detection to outcome | ${r.total.n} | ${ms(r.total.p50)} | ${ms(r.total.p99)} | ${ms(r.total.mean)} |
| of which the virtual card answering | ${r.card.n} | ${ms(r.card.p50)} | ${ms(r.card.p99)} | ${ms(r.card.mean)} |
| **software per tap** | ${r.software.n} | **${ms(r.software.p50)}** | **${ms(r.software.p99)}** | ${ms(r.software.mean)} |
| CPU per tap (user + system, every thread) | ${r.cpu.n} | ${ms(r.cpu.p50)} | ${ms(r.cpu.p99)} | ${ms(r.cpu.mean)} |

Software per tap: ${verdict}. It includes the debit's two fsynced commits, whose tail is the disk's
(and on a shared VM, the neighbours'); the CPU row is the same taps without those waits: the process's user and
system time across its threads (GC and libuv's included), from \`process.cpuUsage()\`. APDU exchanges per accepted tap: **${r.exchanges.join(', ')}** (read 8, debit 5;
the issue's goal of 12 is not met, docs/card-layout.md says why). Over nfc-pcsc the adapter adds one GET DATA
for the UID, which the reader answers from its anticollision without talking to the card.
`;
}
