import type { CardData } from '../../src/domain/card.ts';
import { FlatFarePolicy } from '../support/flat-fare-policy.ts';
import type { TapContext } from '../../src/domain/tap-context.ts';

/** 2026-11-22 12:00 in Tehran (08:30 UTC). */
export const NOON = Date.UTC(2026, 10, 22, 8, 30, 0);

export const context: TapContext = { device: 'DEV-1', vehicle: 'BUS-7', route: '12', stop: null, reader: 'front' };

export function card(overrides: Partial<CardData> = {}): CardData {
  return {
    uid: '04A1B2C3',
    number: '9826000000000001',
    category: 'adult',
    issued: '2025-03-21',
    expires: '2029-03-20',
    status: 'active',
    layoutVersion: 0,
    balance: 500_000,
    counter: 7,
    lastTrip: null,
    ...overrides,
  };
}

export const fares = new FlatFarePolicy({
  version: 'test-1',
  baseFare: 37_000,
  categories: { adult: { discountPercent: 0 }, student: { discountPercent: 50 }, veteran: { discountPercent: 100 } },
  repeatWindowMs: 10_000,
  negativeAllowance: 0,
});
