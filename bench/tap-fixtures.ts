/** What a real tap decides on: a realistic card, a deny list of thousands, the sample GTFS fare bundle, a bus. */
import type { CardData } from '../src/domain/card.ts';
import type { Decision } from '../src/domain/decide.ts';
import type { DenyEntry, DenyList } from '../src/domain/deny-list.ts';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../src/domain/time.ts';
import { requireBundle } from '../src/fares/load-fare-bundle.ts';
import { loadFareBundleDir } from '../src/fares/read-bundle-dir.ts';
import { ScheduledFarePolicy } from '../src/fares/scheduled-fare-policy.ts';
import type { TapContext } from '../src/domain/tap-context.ts';
import { utcOffsetMinutes } from '../src/domain/time.ts';
import type { TapFields } from '../src/journal/types.ts';

export const TIME_ZONE = 'Asia/Tehran';

/** The deny list as the validator caches it: printed card numbers in a Set. */
export class SetDenyList implements DenyList {
  constructor(
    readonly version: string,
    private readonly numbers: ReadonlySet<string>,
  ) {}

  lookup(cardNumber: string): DenyEntry | undefined {
    return this.numbers.has(cardNumber) ? { cardNumber, reason: 'reported lost' } : undefined;
  }
}

/** `count` distinct 16-digit card numbers, none of which is a bench card. */
export function denyList(count: number): SetDenyList {
  const numbers = new Set<string>();
  for (let i = 0; i < count; i++) numbers.add(`60379980${String(i * 7919).padStart(8, '0')}`);
  return new SetDenyList('deny-2025-03-20.1', numbers);
}

const SAMPLE_BUNDLE = fileURLToPath(new URL('../fares/qom-1404', import.meta.url));
export const fares = new ScheduledFarePolicy([requireBundle(loadFareBundleDir(SAMPLE_BUNDLE), SAMPLE_BUNDLE)], { repeatWindowMs: 60_000, negativeAllowance: 0 }, systemClock);

export const context: TapContext = { device: 'QV-0042', vehicle: 'BUS-3107', route: '12', stop: 'S-0457', reader: 'front' };

/** Card `n`: active, funded, last used on another bus 40 minutes ago. */
export function card(n: number, now: number): CardData {
  return {
    uid: `04${(0xa1b2c3d4e5 + n).toString(16).toUpperCase().padStart(12, '0')}`,
    number: `60379912${String(n).padStart(8, '0')}`,
    category: n % 5 === 0 ? 'student' : 'adult',
    issued: '2024-09-01',
    expires: '2027-08-31',
    status: 'active',
    layoutVersion: 1,
    balance: 1_250_000,
    counter: 100 + n,
    lastTrip: {
      time: Math.floor((now - 40 * 60_000) / 1000) * 1000,
      route: '7',
      stop: 'S-0211',
      amount: 50_000,
      vehicle: 'BUS-2201',
      device: 'QV-0107',
      transfersUsed: 0,
      chainStart: now - 40 * 60_000,
    },
  };
}

/** The record the pipeline would journal for a decision. */
export function tapFields(c: CardData, decision: Decision, now: number, id: string, intentId: string | null): TapFields {
  return {
    id,
    time: now,
    utcOffsetMinutes: utcOffsetMinutes(now, TIME_ZONE),
    device: context.device,
    reader: context.reader,
    cardUid: c.uid,
    cardNumber: c.number,
    cardCounter: decision.purse?.counter ?? c.counter,
    category: c.category,
    result: decision.result === 'accept' ? 'accepted' : 'rejected',
    reason: decision.reason,
    fare: decision.fare,
    balanceBefore: c.balance,
    balanceAfter: decision.purse?.balance ?? c.balance,
    transfer: decision.transfer,
    route: context.route,
    vehicle: context.vehicle,
    stop: context.stop,
    position: { lat: 34.6401 + (now % 1000) / 1e7, lon: 50.8764 },
    denyListVersion: 'deny-2025-03-20.1',
    faresVersion: fares.version,
    intentId,
  };
}
