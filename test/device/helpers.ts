import { readFileSync } from 'node:fs';
import type { LastTrip } from '../../src/domain/card.ts';
import type { Clock } from '../../src/domain/time.ts';
import { CmacIntegrity } from '../../device/crypto/cmac-integrity.ts';
import { FileKeyStore } from '../../device/crypto/key-file.ts';
import { ClassicClient } from '../../device/mifare/classic-client.ts';
import { VirtualClassicCard } from '../../device/mifare/virtual-classic-card.ts';
import { QomCardCodec, type CardIssue } from '../../device/qom-card/qom-card-codec.ts';
import { VirtualCardTransport } from '../../device/sim/virtual-card-transport.ts';

/** 2026-11-22 12:00 in Tehran. */
export const NOON = Date.UTC(2026, 10, 22, 8, 30, 0);
export const UID = Buffer.from('04A1B2C3', 'hex');

/** A clock that moves only when told to; `sleep` advances it, so latency and timeouts cost no real time. */
export class FakeClock implements Clock {
  constructor(
    public wall = NOON,
    public mono = 1_000,
  ) {}

  now(): number {
    return this.wall;
  }

  monotonic(): number {
    return this.mono;
  }

  advance(ms: number): void {
    this.wall += ms;
    this.mono += ms;
  }

  readonly sleep = (ms: number): Promise<void> => {
    this.advance(ms);
    return Promise.resolve();
  };
}

/** The test-only key file: public master keys, for tests and the worked example of docs/card-layout.md. */
export const TEST_KEY_FILE = new URL('./crypto/fixtures/test-only-keys.json', import.meta.url);
export const keys = FileKeyStore.fromText(readFileSync(TEST_KEY_FILE, 'utf8'), 'test/device/crypto/fixtures/test-only-keys.json');
export const codec = new QomCardCodec({ keys, integrity: new CmacIntegrity(keys) });

export function issue(overrides: Partial<CardIssue> = {}): CardIssue {
  return {
    number: '9826000000000001',
    category: 'adult',
    issued: '2025-03-21',
    expires: '2029-03-20',
    status: 'active',
    balance: 500_000,
    counter: 0,
    lastTrip: null,
    ...overrides,
  };
}

export function trip(overrides: Partial<LastTrip> = {}): LastTrip {
  return {
    time: NOON,
    route: '12',
    stop: null,
    amount: 37_000,
    vehicle: 'BUS-0001',
    device: 'QOM-DEV-0001',
    transfersUsed: 0,
    chainStart: NOON,
    ...overrides,
  };
}

/** A client talking to the card, which enters the field for it. */
export function clientFor(card: VirtualClassicCard): ClassicClient {
  card.enterField();
  return new ClassicClient(new VirtualCardTransport(card), { exchangeTimeoutMs: 100 });
}

/** A personalized card, out of the field. */
export async function issuedCard(overrides: Partial<CardIssue> = {}, uid: Buffer = UID): Promise<VirtualClassicCard> {
  const card = VirtualClassicCard.blank(uid);
  await codec.personalize(clientFor(card), uid, issue(overrides));
  card.leave();
  return card;
}

/** An independent copy of a card's memory. */
export function cloneCard(card: VirtualClassicCard): VirtualClassicCard {
  return VirtualClassicCard.fromState(JSON.parse(JSON.stringify(card.toState())));
}

/** Sends one APDU given as hex and returns the response as hex (virtual card tests). */
export function send(card: VirtualClassicCard, hex: string): string {
  return card.transmit(Buffer.from(hex.replace(/\s+/g, ''), 'hex')).toString('hex').toUpperCase();
}
