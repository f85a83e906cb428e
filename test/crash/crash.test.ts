import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { CmacIntegrity } from '../../device/crypto/cmac-integrity.ts';
import { QomCardCodec } from '../../device/qom-card/qom-card-codec.ts';
import { CARD_PROFILES, cardProfile } from '../../device/sim/card-profiles.ts';
import { CardStore } from '../../device/sim/card-store.ts';
import { loadOrCreateSimulationKeys } from '../../device/sim/simulation-keys.ts';
import { callControl } from '../../src/control/control-client.ts';
import { localDate } from '../../src/domain/time.ts';
import { openJournal } from '../../src/journal/open-journal.ts';
import type { TapRecord } from '../../src/journal/types.ts';
import { silentLogger } from '../../src/log/logger.ts';
import type { TapOutcome } from '../../src/pipeline/tap-outcome.ts';
import { clientFor } from '../device/helpers.ts';
import { Daemon } from '../support/daemon.ts';

/** Kill rounds; CRASH_ROUNDS raises it for a longer soak. */
const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 20);
const SEED = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
/** Disjoint profiles per door, so one card is never in two fields at once. */
const DOORS = {
  front: ['adult', 'torn', 'double', 'low-balance'],
  rear: ['student', 'torn-late', 'senior', 'veteran'],
} as const;

/** mulberry32: a seeded generator, so a failing run can be replayed with CRASH_SEED. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const root = mkdtempSync(join(tmpdir(), 'crash-'));
const stateDir = join(root, 'state');
mkdirSync(stateDir);
// No repeat window: every tap debits, so kills land in debits as often as possible.
const daemon = new Daemon(stateDir, { simulation: { exchangeLatencyMs: 2 }, fares: { repeatWindowSeconds: 0 }, log: { level: 'warn' } });

afterAll(async () => {
  await daemon.stop('SIGKILL');
});

/** Taps at one door until the daemon stops answering; keeps every outcome that came back. */
async function drive(door: 'front' | 'rear', random: () => number, into: TapOutcome[], firstAnswer: () => void): Promise<string> {
  const profiles = DOORS[door];
  for (;;) {
    const profile = profiles[Math.floor(random() * profiles.length)] ?? 'adult';
    try {
      const { outcomes } = (await callControl(daemon.socket, 'tap', { profile, reader: door }, { timeoutMs: 20_000 })) as { outcomes: TapOutcome[] };
      into.push(...outcomes);
      firstAnswer();
    } catch (e) {
      // The kill ends every driver this way; it is only news when no tap of the round was answered.
      return `${door} door, ${profile}: ${String(e)}`;
    }
  }
}

function withJournal<T>(f: (records: TapRecord[], verify: () => ReturnType<ReturnType<typeof openJournal>['verify']>, openIntents: number) => T): T {
  const journal = openJournal({
    path: join(stateDir, 'journal.db'),
    clock: { now: Date.now, monotonic: () => performance.now() },
    log: silentLogger,
    minFreeBytes: 1,
    retentionMs: 86_400_000,
    pruneWhenFreeBelowBytes: 1,
  });
  try {
    return f(journal.list(0, 1_000_000), () => journal.verify(), journal.openDebits().length);
  } finally {
    journal.close();
  }
}

describe(`crash safety (SIGKILL at random moments, ${ROUNDS} rounds, seed ${SEED})`, () => {
  it('after every kill the journal verifies and holds each tap shown "accepted" exactly once; at the end cards and journal agree', async () => {
    const random = rng(SEED);
    const accepted: TapRecord[] = [];
    let killsDuringDebits = 0;

    for (let round = 1; round <= ROUNDS; round++) {
      await daemon.start();
      const outcomes: TapOutcome[] = [];
      let answered!: () => void;
      const firstAnswer = new Promise<void>((resolve) => (answered = resolve));
      const drivers = [drive('front', random, outcomes, answered), drive('rear', random, outcomes, answered)];
      // The kill lands after taps are flowing, however slow the machine is: anywhere in the next 1.2 s.
      const ended = Promise.all(drivers);
      if ((await Promise.race([firstAnswer.then(() => 'flowing'), ended])) !== 'flowing') {
        throw new Error(`round ${round}: no tap was answered:\n${(await ended).join('\n')}\n${daemon.output.join('').slice(-4000)}`);
      }
      await delay(random() * 1_200);
      expect(await daemon.stop('SIGKILL'), `the validator died by itself in round ${round}:\n${daemon.output.join('').slice(-4000)}`).toBeNull();
      await Promise.all(drivers);

      for (const o of outcomes.filter((x) => x.notice.kind === 'accepted')) {
        const record = o.records.find((r) => r.result === 'accepted');
        expect(record, `an "accepted" outcome without an accepted record: ${JSON.stringify(o)}`).toBeDefined();
        if (record) accepted.push(record);
      }

      withJournal((records, verify, openIntents) => {
        if (openIntents > 0) killsDuringDebits += 1;
        const report = verify();
        expect(report.problems, `round ${round}`).toEqual([]);
        expect(report.ok).toBe(true);
        expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i + 1));
        const byId = new Map<string, number>();
        for (const r of records) byId.set(r.id, (byId.get(r.id) ?? 0) + 1);
        for (const a of accepted) {
          expect(byId.get(a.id), `tap ${a.id} shown accepted in an earlier round`).toBe(1);
          expect(records.find((r) => r.id === a.id)).toMatchObject({ result: 'accepted', fare: a.fare, hash: a.hash });
        }
      });
    }
    expect(accepted.length, 'taps shown "accepted" across all rounds').toBeGreaterThan(0);
    // The point of the test: some kills must have cut a debit between its intent and its outcome.
    expect(killsDuringDebits, 'rounds whose kill left a debit open').toBeGreaterThan(0);

    // Present every card once more, so interrupted debits resolve; then stop cleanly.
    await daemon.start();
    for (const door of ['front', 'rear'] as const) {
      for (const profile of DOORS[door]) await callControl(daemon.socket, 'tap', { profile, reader: door }, { timeoutMs: 20_000 });
    }
    expect(await daemon.stop('SIGTERM')).toBe(0);

    const store = new CardStore(join(stateDir, 'sim-cards'));
    // The daemon issued its simulated cards under the state directory's own development key file.
    const keys = loadOrCreateSimulationKeys(stateDir, silentLogger);
    const codec = new QomCardCodec({ keys, integrity: new CmacIntegrity(keys) });
    await withJournal(async (records, _verify, openIntents) => {
      expect(openIntents).toBe(0);
      for (const uid of store.list()) {
        const profile = CARD_PROFILES.find((p) => p.uid === uid);
        if (!profile || profile.recipe.kind !== 'qom') continue;
        const card = store.load(uid);
        if (!card) throw new Error(`card ${uid} vanished from the store`);
        const client = clientFor(card);
        const onCard = (await codec.readCard(client, card.uid)).data;
        card.leave();
        const issued = cardProfile(profile.name).recipe;
        const start = issued.kind === 'qom' ? issued.card(localDate(Date.now(), 'Asia/Tehran')).balance : 0;
        const charged = records.filter((r) => r.cardUid === uid && r.result === 'accepted').reduce((s, r) => s + r.fare, 0);
        expect(onCard.balance, `card ${profile.name}: balance on card vs. start minus journaled charges`).toBe(start - charged);
      }
    });
  }, 600_000);
});
