import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { localDate } from '../../src/domain/time.ts';
import { describeError, isValidatorError } from '../../src/domain/errors.ts';
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
 * codec over APDUs, exactly as a blank card at the issuing office would be. A stored card that no longer
 * is what its profile says (written under another layout, or with another simulation key file) is issued
 * again, so that the simulation never fails on cards it made itself.
 */
export async function profileCard(store: CardStore, profile: CardProfile, options: IssueOptions): Promise<VirtualClassicCard> {
  const existing = store.load(profile.uid);
  if (existing) {
    const stale = await staleness(existing, profile, options);
    if (stale === null) return existing;
    return store.replace(await issue(profile, options), stale);
  }
  return store.add(await issue(profile, options));
}

/** A new card for the profile, personalized (or scrambled) over APDUs. */
async function issue(profile: CardProfile, options: IssueOptions): Promise<VirtualClassicCard> {
  const card = VirtualClassicCard.blank(Buffer.from(profile.uid, 'hex'));
  const { recipe } = profile;
  if (recipe.kind === 'blank') return card;
  await inField(card, async (client) => {
    if (recipe.kind === 'qom') {
      await options.codec.personalize(client, card.uid, recipe.card(localDate(options.now, options.timeZone)));
    } else {
      await scramble(client, card.uid, options);
    }
  });
  return card;
}

/** Why a stored card is no longer what its profile makes, or null when it still is. */
async function staleness(card: VirtualClassicCard, profile: CardProfile, options: IssueOptions): Promise<string | null> {
  const { recipe } = profile;
  if (recipe.kind === 'blank' || card.present) return null;
  try {
    await inField(card, async (client) => {
      if (recipe.kind === 'qom') {
        await options.codec.readCard(client, card.uid);
      } else {
        await client.loadKey(KEY_SLOT, options.keys.cardKey(card.uid, VALIDATOR_KEY));
        await client.authenticate(firstBlockOf(QOM_SECTORS[0]), VALIDATOR_KEY, KEY_SLOT);
      }
    });
    return null;
  } catch (e) {
    if (!isValidatorError(e)) throw e;
    return describeError(e);
  }
}

async function inField(card: VirtualClassicCard, work: (client: ClassicClient) => Promise<void>): Promise<void> {
  card.enterField();
  try {
    await work(new ClassicClient(new VirtualCardTransport(card), { exchangeTimeoutMs: 1000 }));
  } finally {
    card.leave();
  }
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
    case 'hang':
      return [reader.present(card, { hangDuringUpdate: b.duringUpdate })];
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
  await client.loadKey(KEY_SLOT, options.keys.cardKey(uid, VALIDATOR_KEY));
  for (const sector of QOM_SECTORS) {
    await client.authenticate(firstBlockOf(sector), VALIDATOR_KEY, KEY_SLOT);
    for (let block = firstBlockOf(sector); block < trailerOf(sector); block++) {
      await client.writeBlock(block, random(BLOCK_SIZE));
    }
  }
}
