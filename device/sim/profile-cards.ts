import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { localDate } from '../../src/domain/time.ts';
import { ClassicClient } from '../mifare/classic-client.ts';
import { BLOCK_SIZE, firstBlockOf, trailerOf } from '../mifare/geometry.ts';
import { VirtualClassicCard } from '../mifare/virtual-classic-card.ts';
import type { KeyStore } from '../qom-card/key-store.ts';
import { KEY_SLOT, QOM_SECTORS, VALIDATOR_KEY } from '../qom-card/layout.ts';
import type { QomCardCodec } from '../qom-card/qom-card-codec.ts';
import type { QomCardPresentation } from '../qom-card/qom-card-presentation.ts';
import type { CardStore } from './card-store.ts';
import type { CardProfile } from './card-profiles.ts';
import type { SimulatedReader } from './simulated-reader.ts';
import { VirtualCardTransport } from './virtual-card-transport.ts';

export interface IssueOptions {
  readonly codec: QomCardCodec;
  /** For the garbage profile, which writes its random bytes with our keys. */
  readonly keys: KeyStore;
  /** Wall time of issue (epoch ms) and the network's zone: the profile's dates count from that day. */
  readonly now: number;
  readonly timeZone: string;
  readonly randomBytes?: (size: number) => Buffer;
}

/**
 * The profile's card from the wallet; on first use it is issued there, personalized through the real
 * codec over APDUs, exactly as a blank card at the issuing office would be.
 */
export async function profileCard(store: CardStore, profile: CardProfile, options: IssueOptions): Promise<VirtualClassicCard> {
  const existing = store.load(profile.uid);
  if (existing) return existing;
  const card = VirtualClassicCard.blank(Buffer.from(profile.uid, 'hex'));
  const { recipe } = profile;
  if (recipe.kind !== 'blank') {
    card.enterField();
    try {
      const client = new ClassicClient(new VirtualCardTransport(card), { exchangeTimeoutMs: 1000 });
      if (recipe.kind === 'qom') {
        await options.codec.personalize(client, card.uid, recipe.card(localDate(options.now, options.timeZone)));
      } else {
        await scramble(client, card.uid, options);
      }
    } finally {
      card.leave();
    }
  }
  return store.add(card);
}

/**
 * Presents the profile's card as the profile behaves: once, torn mid-write, or twice in quick succession.
 * Returns the presentations in order.
 */
export async function presentProfile(
  reader: SimulatedReader,
  card: VirtualClassicCard,
  profile: CardProfile,
  sleep: (ms: number) => Promise<void> = (ms) => delay(ms),
): Promise<QomCardPresentation[]> {
  const b = profile.behaviour;
  switch (b.kind) {
    case 'tap':
      return [reader.present(card)];
    case 'torn':
      return [reader.present(card, { vanish: b.vanish })];
    case 'double': {
      const first = reader.present(card);
      await sleep(b.gapMs);
      return [first, reader.present(card)];
    }
  }
}

/** A personalized card whose every data block in our sectors is then overwritten with random bytes. */
async function scramble(client: ClassicClient, uid: Buffer, options: IssueOptions): Promise<void> {
  const random = options.randomBytes ?? cryptoRandomBytes;
  await options.codec.personalize(client, uid, {
    number: '0',
    category: 'adult',
    issued: '2000-01-01',
    expires: '2000-01-01',
    status: 'active',
    balance: 0,
    counter: 0,
    lastTrip: null,
  });
  for (const sector of QOM_SECTORS) {
    await client.loadKey(KEY_SLOT, options.keys.sectorKey(uid, sector, VALIDATOR_KEY));
    await client.authenticate(firstBlockOf(sector), VALIDATOR_KEY, KEY_SLOT);
    for (let block = firstBlockOf(sector); block < trailerOf(sector); block++) {
      await client.writeBlock(block, random(BLOCK_SIZE));
    }
  }
}
