import { mkdirSync } from 'node:fs';
import { CardStore } from '../../../device/sim/card-store.ts';
import { CARD_PROFILES, DENY_LISTED_CARD_NUMBER } from '../../../device/sim/card-profiles.ts';
import { SimulatedReader } from '../../../device/sim/simulated-reader.ts';
import { InProcessFeedbackUnit } from '../../../device/feedback/in-process-feedback-unit.ts';
import { CmacIntegrity } from '../../../device/crypto/cmac-integrity.ts';
import type { FileKeyStore } from '../../../device/crypto/key-file.ts';
import { loadOrCreateSimulationKeys } from '../../../device/sim/simulation-keys.ts';
import { QomCardCodec } from '../../../device/qom-card/qom-card-codec.ts';
import type { Config } from '../../config/schema.ts';
import { ErrorCode, ValidatorError } from '../../domain/errors.ts';
import { randomIds } from '../../domain/ids.ts';
import type { Clock } from '../../domain/time.ts';
import type { Logger } from '../../log/logger.ts';
import type { TapPipeline } from '../../pipeline/tap-pipeline.ts';
import type { FeedbackScreen } from '../../ports/feedback-unit.ts';
import { checkIdsFitTheCard } from '../check-ids-fit.ts';
import type { CardSimulator, Hardware } from '../hardware.ts';
import type { Paths } from '../paths.ts';
import { ProfileSimulator } from './profile-simulator.ts';
import { seedDenyList } from './seed-deny-list.ts';

export interface SimulationOptions {
  readonly config: Config;
  readonly paths: Paths;
  readonly clock: Clock;
  readonly log: Logger;
  /** The keys the simulated cards are issued and read with; default: the state directory's own development key file. */
  readonly keys?: FileKeyStore;
}

/** Every device simulated: a reader with virtual cards per configured door, a display unit per door. */
export interface Simulation {
  readonly hardware: Hardware;
  readonly simulator: (pipeline: TapPipeline) => CardSimulator;
  /** Panel keys besides the card profiles. */
  readonly keys: readonly { readonly key: string; readonly label: string }[];
  /** Handles a panel key; returns what happened, or null when the key is not the simulation's. */
  onKey(key: string): string | null;
  /** The door the panel presents cards at. */
  activeDoor(): string;
  screenOf(door: string): FeedbackScreen;
}

export function createSimulation(options: SimulationOptions): Simulation {
  const { config, paths, clock, log } = options;
  checkIdsFitTheCard(config, paths.configFile);
  mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
  seedDenyList(paths.denyList, DENY_LISTED_CARD_NUMBER);
  const keys = options.keys ?? loadOrCreateSimulationKeys(paths.stateDir, log);
  const codec = new QomCardCodec({ keys, integrity: new CmacIntegrity(keys) });
  const store = new CardStore(paths.simCards, { log: log.child('cards') });
  const latency = config.simulation.exchangeLatencyMs;
  const readers = config.readers.map(
    (r) =>
      new SimulatedReader({
        id: r.id,
        name: `simulated reader, ${r.id} door`,
        codec,
        clock,
        ids: randomIds,
        exchangeTimeoutMs: config.tap.exchangeTimeoutMs,
        latency: { min: Math.floor(latency * 0.7), max: Math.ceil(latency * 1.3) },
        log: log.child(`reader:${r.id}`),
      }),
  );
  // Each door's unit is the unit simulator behind the real driver and protocol, joined in process.
  const units = new Map(
    readers.map((r) => [
      r.id,
      new InProcessFeedbackUnit({
        clock,
        log: log.child(`feedback:${r.id}`),
        ackTimeoutMs: config.feedback.ackTimeoutMs,
        retries: config.feedback.retries,
        probeMs: config.feedback.probeSeconds * 1000,
      }),
    ]),
  );
  let active = 0;

  const readerById = (id: string): SimulatedReader => {
    const reader = readers.find((r) => r.id === id);
    if (!reader) throw new ValidatorError(ErrorCode.NotFound, `no reader "${id}"; this validator has: ${readers.map((r) => r.id).join(', ')}`);
    return reader;
  };
  const unitOf = (id: string): InProcessFeedbackUnit => {
    const unit = units.get(id);
    if (!unit) throw new ValidatorError(ErrorCode.NotFound, `no feedback unit for reader "${id}"`);
    return unit;
  };
  const door = (): SimulatedReader => readers[active % readers.length]!;
  const unplugged = new Set<string>();
  const displayOff = new Set<string>();

  return {
    hardware: {
      readers,
      feedbackFor: unitOf,
      close: async () => {
        await Promise.all([...readers.map((r) => r.close()), ...[...units.values()].map((u) => u.close())]);
      },
    },
    simulator: (pipeline) =>
      new ProfileSimulator({
        profiles: CARD_PROFILES,
        readerById,
        defaultReader: () => door().id,
        store,
        codec,
        keys,
        clock,
        timeZone: config.network.timeZone,
        outcomes$: pipeline.outcomes$,
        settleMs: config.tap.budgetMs + 5_000,
      }),
    keys: [
      { key: 'w', label: 'switch door' },
      { key: 'u', label: 'unplug/replug reader' },
      { key: 'x', label: 'disconnect/reconnect display' },
    ],
    onKey: (key) => {
      const reader = door();
      switch (key) {
        case 'w':
          active += 1;
          return `presenting at the ${door().id} door now`;
        case 'u':
          if (unplugged.delete(reader.id)) {
            reader.plug();
            return `${reader.id} reader plugged back in`;
          }
          unplugged.add(reader.id);
          reader.unplug('USB cable pulled (simulated)');
          return `${reader.id} reader unplugged`;
        case 'x': {
          const off = !displayOff.delete(reader.id);
          if (off) displayOff.add(reader.id);
          unitOf(reader.id).setConnected(!off);
          return `${reader.id} display ${off ? 'disconnected: taps go on, the journal is the record' : 'reconnected'}`;
        }
        default:
          return null;
      }
    },
    activeDoor: () => door().id,
    screenOf: (id) => unitOf(id).screen,
  };
}
