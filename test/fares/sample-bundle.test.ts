import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Reason } from '../../src/domain/reasons.ts';
import { GtfsFarePolicy } from '../../src/fares/gtfs-fare-policy.ts';
import { quoteRides } from '../../src/fares/quote-rides.ts';
import { loadFareBundleDir } from '../../src/fares/read-bundle-dir.ts';
import type { Ride } from '../../src/fares/rides.ts';
import { at, card, context, TEHRAN } from './support.ts';

const SAMPLE = join(import.meta.dirname, '../../fares/qom-1404');
const scratch = mkdtempSync(join(tmpdir(), 'qom-1404-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function load(dir: string): GtfsFarePolicy {
  const result = loadFareBundleDir(dir);
  if (!result.ok) return expect.fail(result.problems.map((p) => `${p.file}:${p.line}: ${p.message}`).join('\n'));
  return new GtfsFarePolicy(result.bundle);
}

const rides = (...times: string[]): Ride[] => times.map((t, i) => ({ time: at(t), route: i % 2 === 0 ? '12' : '7', stop: null, vehicle: null }));

describe('the sample Qom 1404 bundle', () => {
  const fares = load(SAMPLE);

  it('charges 37,000 rials a boarding to an adult, and the example discounts to the others', () => {
    const now = at('2025-06-03 08:00');
    expect(fares.version).toBe('qom-1404.1');
    expect(fares.bundle.effectiveFrom).toBe(at('2025-04-21 00:00'));
    expect(['adult', 'student', 'senior', 'veteran'].map((category) => fares.quote(card({ category }), context(), now).amount)).toEqual([37_000, 18_500, 18_500, 0]);
    expect(fares.quote(card({ category: 'veteran', balance: 0 }), context(), now)).toMatchObject({ result: 'accept', lastTrip: { amount: 0 } });
    expect(fares.quote(card({ category: 'child' }), context(), now).reason).toBe(Reason.UnknownCategory);
  });

  it('charges every boarding with transfers off', () => {
    expect(quoteRides(fares, 'adult', rides('2025-06-03 08:00', '2025-06-03 08:20', '2025-06-03 08:50'), TEHRAN).map((q) => [q.amount, q.transfer])).toEqual([
      [37_000, false],
      [37_000, false],
      [37_000, false],
    ]);
  });

  it('rides free on the example free day, midnight to midnight in Tehran', () => {
    const quotes = quoteRides(fares, 'adult', rides('2025-08-31 23:59:59', '2025-09-01 00:00:00', '2025-09-01 23:59:59', '2025-09-02 00:00:00'), TEHRAN);
    expect(quotes.map((q) => q.amount)).toEqual([37_000, 0, 0, 37_000]);
  });

  it('with the README\'s transfer line: one free change within 60 minutes of the first boarding', () => {
    const readme = readFileSync(join(SAMPLE, 'README.md'), 'utf8');
    const line = readme.split('\n').find((l) => l.startsWith('city_bus,city_bus,'));
    expect(line).toBe('city_bus,city_bus,1,3600,1,0,');
    const dir = join(scratch, 'with-transfer');
    cpSync(SAMPLE, dir, { recursive: true });
    appendFileSync(join(dir, 'fare_transfer_rules.txt'), `${line}\n`);
    const withTransfer = load(dir);
    const quotes = quoteRides(withTransfer, 'adult', rides('2025-06-03 08:00', '2025-06-03 08:40', '2025-06-03 08:50', '2025-06-03 09:30', '2025-06-03 10:31'), TEHRAN);
    expect(quotes.map((q) => [q.amount, q.transfer, q.chain?.transfersUsed])).toEqual([
      [37_000, false, 0],
      [0, true, 1],
      // One transfer per chain: the third boarding pays and starts a new chain at 08:50.
      [37_000, false, 0],
      [0, true, 1],
      [37_000, false, 0],
    ]);
    // A student's transfer is free too; the chain is the card's, whatever the category.
    expect(quoteRides(withTransfer, 'student', rides('2025-06-03 08:00', '2025-06-03 08:59'), TEHRAN).map((q) => q.amount)).toEqual([18_500, 0]);
  });
});
