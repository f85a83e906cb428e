import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedFeedbackUnit } from '../../device/feedback/simulated-feedback-unit.ts';
import type { VanishPlan, VirtualClassicCard } from '../../device/mifare/virtual-classic-card.ts';
import { SimulatedReader } from '../../device/sim/simulated-reader.ts';
import { MemoryDenyList } from '../../src/deny-list/file-deny-list.ts';
import type { CardData } from '../../src/domain/card.ts';
import { FlatFarePolicy } from '../support/flat-fare-policy.ts';
import { randomIds } from '../../src/domain/ids.ts';
import { screenFor } from '../../src/feedback/messages.ts';
import { openJournal } from '../../src/journal/open-journal.ts';
import type { SqliteTapJournal } from '../../src/journal/sqlite-tap-journal.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { TapPipeline } from '../../src/pipeline/tap-pipeline.ts';
import type { TapOutcome } from '../../src/pipeline/tap-outcome.ts';
import type { FeedbackUnit } from '../../src/ports/feedback-unit.ts';
import { clientFor, codec, FakeClock } from '../device/helpers.ts';

export const DEVICE = 'QOM-DEV-0001';
export const VEHICLE = 'BUS-0001';
export const DENIED = '9826000000009999';
/** Deny-listed with the action block: the validator writes "blocked" onto the card. */
export const DENIED_BLOCK = '9826000000009998';

export interface HarnessOptions {
  readonly budgetMs?: number;
  /** Per APDU exchange, on the fake clock. */
  readonly latencyMs?: number;
  /** The door's feedback unit; default: \`display\`, in memory. */
  readonly feedback?: FeedbackUnit;
}

/** The real pipeline over the real codec, a simulated reader, a real journal file, and a fake clock. */
export class PipelineHarness {
  readonly clock = new FakeClock();
  freeBytes = 10 * 1024 ** 3;
  readonly dir = mkdtempSync(join(tmpdir(), 'pipeline-'));
  readonly journal: SqliteTapJournal;
  readonly reader: SimulatedReader;
  readonly display = new SimulatedFeedbackUnit(screenFor({ kind: 'welcome' }, { moneyUnit: 'toman', lowBalance: 0 }));
  readonly pipeline: TapPipeline;

  constructor(options: HarnessOptions = {}) {
    this.journal = openJournal({
      path: join(this.dir, 'journal.db'),
      clock: this.clock,
      log: silentLogger,
      minFreeBytes: 16 * 1024 * 1024,
      retentionMs: 90 * 86_400_000,
      pruneWhenFreeBelowBytes: 512 * 1024 * 1024,
      statfs: () => ({ freeBytes: this.freeBytes }),
    });
    this.reader = new SimulatedReader({
      id: 'front',
      codec,
      clock: this.clock,
      ids: randomIds,
      exchangeTimeoutMs: 100,
      latency: options.latencyMs ?? 0,
      sleep: this.clock.sleep,
    });
    const fares = new FlatFarePolicy({
      version: 'flat-test',
      baseFare: 37_000,
      categories: { adult: { discountPercent: 0 }, student: { discountPercent: 50 } },
      repeatWindowMs: 10_000,
      negativeAllowance: 0,
    });
    const denyList = new MemoryDenyList('deny-test', [
      { cardNumber: DENIED, reason: 'stolen' },
      { cardNumber: DENIED_BLOCK, reason: 'fraud', action: 'block' },
    ]);
    this.pipeline = new TapPipeline({
      journal: this.journal,
      sources: {
        denyList: () => denyList,
        fares: () => fares,
        context: () => ({ device: DEVICE, vehicle: VEHICLE, route: '12', stop: null }),
        position: () => null,
      },
      feedbackFor: () => options.feedback ?? this.display,
      clock: this.clock,
      ids: randomIds,
      log: silentLogger,
      settings: { budgetMs: options.budgetMs ?? 300, resumeWindowMs: 120_000, timeZone: 'Asia/Tehran', messages: { moneyUnit: 'toman', lowBalance: 74_000 } },
    });
  }

  /** Presents the card (optionally pulled away as planned), waits for the outcome, lifts the card. */
  async tap(card: VirtualClassicCard, vanish?: VanishPlan): Promise<TapOutcome> {
    const presentation = this.reader.present(card, vanish ? { vanish } : {});
    try {
      return await this.pipeline.process(presentation);
    } finally {
      this.reader.remove();
    }
  }

  /** What the card holds now, read through the codec. */
  async cardData(card: VirtualClassicCard): Promise<CardData> {
    const client = clientFor(card);
    try {
      return (await codec.readCard(client, card.uid)).data;
    } finally {
      card.leave();
    }
  }

  /** Rials the journal says this card was charged. */
  charged(cardUid: string): number {
    return this.journal
      .list(0, 10_000)
      .filter((r) => r.cardUid === cardUid && r.result === 'accepted')
      .reduce((sum, r) => sum + r.fare, 0);
  }
}
