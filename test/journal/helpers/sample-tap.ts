/** Taps and intents with known values, varied by a number so that each is distinct. */
import type { DebitIntent, TapFields } from '../../../src/journal/types.ts';

/** A rejected tap (no card write); `n` varies id, time and card. */
export function sampleTap(n = 1, overrides: Partial<TapFields> = {}): TapFields {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    time: 1_742_544_930_000 + n * 1000,
    utcOffsetMinutes: 210,
    device: 'QV-0042',
    reader: 'front',
    cardUid: `04A1B2C3${String(n).padStart(6, '0')}`,
    cardNumber: `603799${String(n).padStart(10, '0')}`,
    cardCounter: 7,
    category: 'adult',
    result: 'rejected',
    reason: 'INSUFFICIENT_BALANCE',
    fare: 0,
    balanceBefore: 1200,
    balanceAfter: 1200,
    transfer: false,
    route: '12',
    vehicle: 'BUS-3107',
    stop: 'S-0457',
    position: { lat: 34.6401, lon: 50.8764 },
    denyListVersion: 'deny-2025-03-20.1',
    faresVersion: 'flat-2025-01',
    intentId: null,
    ...overrides,
  };
}

/** An intent to debit 50 000 rials from card `n`, with the accepted record it would journal. */
export function sampleIntent(n = 1, overrides: Partial<DebitIntent> = {}): DebitIntent {
  const id = `10000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const tap = sampleTap(n, {
    result: 'accepted',
    reason: 'OK',
    fare: 50_000,
    balanceBefore: 1_250_000,
    balanceAfter: 1_200_000,
    cardCounter: 8,
    intentId: id,
  });
  return { id, createdAt: tap.time, cardUid: tap.cardUid, counterBefore: 7, counterAfter: 8, tap, ...overrides };
}

/** The outcome record for an intent: as planned when the debit reached the card. */
export function acceptedOutcome(intent: DebitIntent): TapFields {
  return intent.tap;
}

/** The outcome record when the card shows the debit never landed. */
export function notAppliedOutcome(intent: DebitIntent): TapFields {
  return { ...intent.tap, result: 'rejected', reason: 'DEBIT_NOT_APPLIED', fare: 0, balanceAfter: intent.tap.balanceBefore, cardCounter: intent.counterBefore };
}
