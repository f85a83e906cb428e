import { describe, expect, it } from 'vitest';
import { ErrorCode, isValidatorError } from '../../src/domain/errors.ts';
import { Reason } from '../../src/domain/reasons.ts';
import type { Clock } from '../../src/domain/time.ts';
import { ScheduledFarePolicy } from '../../src/fares/scheduled-fare-policy.ts';
import { at, bundle, card, context, csv, MANIFEST } from './support.ts';

const products = (amount: string): string =>
  csv(['fare_product_id', 'rider_category_id', 'amount', 'currency'], ['boarding', 'adult', amount, 'IRR'], ['boarding', 'student', '15000', 'IRR']);
const b1403 = bundle({ 'fare_products.txt': products('30000') }, { ...MANIFEST, version: 'qom-1403', effectiveFrom: '2024-04-20' });
// The council's date as a plain date: local midnight in Tehran (20:30 UTC the day before).
const b1404 = bundle({ 'fare_products.txt': products('37000') }, { ...MANIFEST, version: 'qom-1404', effectiveFrom: '2025-04-21' });

function clockAt(now: number): Clock {
  return { now: () => now, monotonic: () => 0 };
}

describe('ScheduledFarePolicy', () => {
  const schedule = new ScheduledFarePolicy([b1404, b1403], {}, clockAt(at('2025-04-20 12:00')));

  it('keeps the old bundle until the new one\'s effectiveFrom, local midnight in Tehran, and switches then', () => {
    const before = at('2025-04-20 23:59:59');
    const from = at('2025-04-21 00:00:00');
    expect(from).toBe(Date.UTC(2025, 3, 20, 20, 30, 0));
    expect(schedule.quote(card(), context(), before).amount).toBe(30_000);
    expect(schedule.versionAt(before)).toBe('qom-1403');
    expect(schedule.quote(card(), context(), from).amount).toBe(37_000);
    expect(schedule.versionAt(from)).toBe('qom-1404');
    expect(schedule.bundles.map((b) => b.version)).toEqual(['qom-1403', 'qom-1404']);
  });

  it('refuses taps before any bundle is in force, recording version "none"', () => {
    const early = at('2024-01-01 08:00');
    expect(schedule.quote(card(), context(), early)).toEqual({ result: 'reject', reason: Reason.NoFare, amount: 0, transfer: false, lastTrip: null });
    expect(schedule.versionAt(early)).toBe('none');
  });

  it('reports the version in force on its clock, for the status display', () => {
    expect(schedule.version).toBe('qom-1403');
    expect(new ScheduledFarePolicy([b1403, b1404], {}, clockAt(at('2025-05-01 00:00'))).version).toBe('qom-1404');
  });

  it('takes a new bundle, replacing one of the same version, and drops the superseded ones', () => {
    const corrected = bundle({ 'fare_products.txt': products('36000') }, { ...MANIFEST, version: 'qom-1404', effectiveFrom: '2025-04-22' });
    const next = schedule.with(corrected);
    expect(next.bundles.map((b) => [b.version, b.effectiveFrom])).toEqual([
      ['qom-1403', b1403.effectiveFrom],
      ['qom-1404', corrected.effectiveFrom],
    ]);
    expect(next.quote(card(), context(), at('2025-04-21 12:00')).amount).toBe(30_000);
    expect(next.quote(card(), context(), at('2025-04-22 12:00')).amount).toBe(36_000);
    expect(schedule.quote(card(), context(), at('2025-04-21 12:00')).amount).toBe(37_000);
    expect(next.prunedAt(at('2025-05-01 00:00')).bundles.map((b) => b.version)).toEqual(['qom-1404']);
    expect(next.prunedAt(at('2025-04-21 00:00')).bundles.map((b) => b.version)).toEqual(['qom-1403', 'qom-1404']);
  });

  it('lets the later of two bundles with the same effectiveFrom win', () => {
    const a = bundle({ 'fare_products.txt': products('1000') }, { ...MANIFEST, version: 'a' });
    const b = bundle({ 'fare_products.txt': products('2000') }, { ...MANIFEST, version: 'b' });
    expect(new ScheduledFarePolicy([a, b], {}, clockAt(0)).quote(card(), context(), at('2025-06-01 00:00')).amount).toBe(2_000);
    expect(new ScheduledFarePolicy([b, a], {}, clockAt(0)).quote(card(), context(), at('2025-06-01 00:00')).amount).toBe(1_000);
  });

  it('refuses a new bundle the options do not fit, so the old one stays', () => {
    const otherCard = bundle(
      {
        'fare_media.txt': csv(['fare_media_id', 'fare_media_type'], ['qom_card_v2', '2']),
        'fare_products.txt': csv(['fare_product_id', 'amount', 'currency'], ['boarding', '37000', 'IRR']),
      },
      { ...MANIFEST, version: 'qom-1405', effectiveFrom: '2026-03-21' },
    );
    const pinned = new ScheduledFarePolicy([b1404], { medium: 'qom_card' }, clockAt(0));
    let error: unknown;
    try {
      pinned.with(otherCard);
    } catch (e) {
      error = e;
    }
    expect(isValidatorError(error, ErrorCode.ConfigInvalid)).toBe(true);
    expect(pinned.bundles.map((b) => b.version)).toEqual(['qom-1404']);
  });

  it('carries the category mapping and the repeat window to every bundle', () => {
    const s = new ScheduledFarePolicy([b1403, b1404], { categories: { pupil: 'student' }, repeatWindowMs: 0 }, clockAt(0));
    expect(s.quote(card({ category: 'pupil' }), context(), at('2025-06-01 08:00')).amount).toBe(15_000);
  });
});
