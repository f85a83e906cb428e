import { ErrorCode, ValidatorError } from '../../src/domain/errors.ts';
import type { VanishPlan } from '../mifare/virtual-classic-card.ts';
import type { CardIssue } from '../qom-card/qom-card-codec.ts';

/**
 * The simulated cards a technician and the tests present. Each profile is one card with a stable UID and
 * number, so that tapping a profile again taps the same card and its balance goes down.
 */
export type CardRecipe =
  /** A Qom card, personalized through the codec; dates are relative to the day it is first issued. */
  | { readonly kind: 'qom'; readonly card: (today: string) => CardIssue }
  /** Still on transport keys: a new card, or one of another system. Our key is refused. */
  | { readonly kind: 'blank' }
  /** Our keys, random bytes in our sectors: nothing decodes. */
  | { readonly kind: 'garbage' };

export type PresentBehaviour =
  | { readonly kind: 'tap' }
  /** The card leaves the field as the reader talks to it. */
  | { readonly kind: 'torn'; readonly vanish: VanishPlan }
  /** Presented, lifted, and presented again this soon. */
  | { readonly kind: 'double'; readonly gapMs: number }
  /** The reader's driver locks up at the card's nth block write: the tap never ends. */
  | { readonly kind: 'hang'; readonly duringUpdate: number };

export interface CardProfile {
  readonly name: string;
  /** The demo panel's key for it. */
  readonly key: string;
  readonly description: string;
  /** Uppercase hex, 4 bytes. */
  readonly uid: string;
  readonly recipe: CardRecipe;
  readonly behaviour: PresentBehaviour;
}

/** The deny-listed profile's printed number, for the composition root to seed the simulated deny list. */
export const DENY_LISTED_CARD_NUMBER = '9826000000001007';

/** One full fare in 1404 (rials): the low-balance card holds less. */
const FARE = 37_000;

const tap: PresentBehaviour = { kind: 'tap' };

function qom(number: string, fields: Partial<CardIssue> & { readonly validDays?: [number, number] }): CardRecipe {
  const { validDays = [-365, 4 * 365], ...rest } = fields;
  return {
    kind: 'qom',
    card: (today) => ({
      number,
      category: 'adult',
      issued: addDays(today, validDays[0]),
      expires: addDays(today, validDays[1]),
      status: 'active',
      balance: 500_000,
      counter: 0,
      lastTrip: null,
      ...rest,
    }),
  };
}

export const CARD_PROFILES: readonly CardProfile[] = [
  { name: 'adult', key: 'a', description: 'valid adult card, 500,000 rials', uid: '51000001', recipe: qom('9826000000001001', {}), behaviour: tap },
  {
    name: 'student',
    key: 's',
    description: 'valid student card (discounted fare), 200,000 rials',
    uid: '51000002',
    recipe: qom('9826000000001002', { category: 'student', balance: 200_000 }),
    behaviour: tap,
  },
  {
    name: 'senior',
    key: 'o',
    description: 'valid senior card (discounted fare), 300,000 rials',
    uid: '51000003',
    recipe: qom('9826000000001003', { category: 'senior', balance: 300_000 }),
    behaviour: tap,
  },
  {
    name: 'veteran',
    key: 'v',
    description: 'valid veteran card (free ride, still recorded on the card)',
    uid: '51000004',
    recipe: qom('9826000000001004', { category: 'veteran', balance: 0 }),
    behaviour: tap,
  },
  {
    name: 'low-balance',
    key: 'l',
    description: `adult card with less than one ${FARE.toLocaleString('en')}-rial fare`,
    uid: '51000005',
    recipe: qom('9826000000001005', { balance: 20_000 }),
    behaviour: tap,
  },
  {
    name: 'expired',
    key: 'e',
    description: 'adult card whose last valid day was yesterday',
    uid: '51000006',
    recipe: qom('9826000000001006', { validDays: [-5 * 365, -1] }),
    behaviour: tap,
  },
  {
    name: 'deny-listed',
    key: 'd',
    description: 'valid-looking card whose number is on the deny list',
    uid: '51000007',
    recipe: qom(DENY_LISTED_CARD_NUMBER, {}),
    behaviour: tap,
  },
  {
    name: 'blocked',
    key: 'k',
    description: 'card marked blocked on the card itself',
    uid: '51000008',
    recipe: qom('9826000000001008', { status: 'blocked' }),
    behaviour: tap,
  },
  {
    name: 'torn',
    key: 't',
    description: 'pulled away during the purse write: the first block write never lands',
    uid: '51000009',
    recipe: qom('9826000000001009', {}),
    behaviour: { kind: 'torn', vanish: { duringUpdate: 1, tornWrite: 'unchanged' } },
  },
  {
    name: 'torn-late',
    key: 'y',
    description: 'pulled away during the last block write of the debit, which lands: debited but unconfirmed',
    uid: '5100000A',
    recipe: qom('9826000000001010', {}),
    // A debit writes three blocks, the head last (qom-card-codec.ts).
    behaviour: { kind: 'torn', vanish: { duringUpdate: 3, tornWrite: 'written' } },
  },
  {
    name: 'double',
    key: '2',
    description: 'the same card presented twice in quick succession',
    uid: '5100000B',
    recipe: qom('9826000000001011', {}),
    behaviour: { kind: 'double', gapMs: 400 },
  },
  {
    name: 'hung-reader',
    key: 'h',
    description: 'the reader locks up during the purse write and never answers again: that door\'s tap never ends (under systemd the watchdog restarts the validator)',
    uid: '5100000E',
    recipe: qom('9826000000001012', {}),
    behaviour: { kind: 'hang', duringUpdate: 1 },
  },
  { name: 'garbage', key: 'g', description: 'our keys, random bytes: unreadable', uid: '5100000C', recipe: { kind: 'garbage' }, behaviour: tap },
  { name: 'blank', key: 'n', description: 'new or foreign card on transport keys: our key is refused', uid: '5100000D', recipe: { kind: 'blank' }, behaviour: tap },
];

/** The profile of that name; NotFound lists the names there are. */
export function cardProfile(name: string): CardProfile {
  const profile = CARD_PROFILES.find((p) => p.name === name);
  if (!profile) {
    throw new ValidatorError(ErrorCode.NotFound, `no card profile "${name}"; there are: ${CARD_PROFILES.map((p) => p.name).join(', ')}`);
  }
  return profile;
}

/** YYYY-MM-DD plus whole days. */
function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1, d! + days)).toISOString().slice(0, 10);
}
