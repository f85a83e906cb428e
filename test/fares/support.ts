/** Small fare bundles written inline, cards and contexts for the GTFS-Fares tests. */
import { expect } from 'vitest';
import type { CardData, LastTrip } from '../../src/domain/card.ts';
import type { TapContext } from '../../src/domain/tap-context.ts';
import type { FareBundle } from '../../src/fares/fare-bundle.ts';
import { compileFareBundle, type LoadResult } from '../../src/fares/load-fare-bundle.ts';
import { parseInstant } from '../../src/fares/local-time.ts';
import { formatProblem } from '../../src/fares/problems.ts';

export const TEHRAN = 'Asia/Tehran';

export const MANIFEST = { version: 'test-1', effectiveFrom: '2025-03-21', currency: 'IRR', timezone: TEHRAN };

/** The smallest valid bundle: one card medium, adult and student, a flat 37,000 boarding. Files can be replaced. */
export const BASE_FILES: Readonly<Record<string, string>> = {
  'fare_media.txt': 'fare_media_id,fare_media_name,fare_media_type\nqom_card,Qom Card,2\n',
  'rider_categories.txt': 'rider_category_id,rider_category_name,is_default_fare_category\nadult,Adult,1\nstudent,Student,0\n',
  'fare_products.txt': 'fare_product_id,rider_category_id,fare_media_id,amount,currency\nboarding,adult,qom_card,37000,IRR\nboarding,student,qom_card,18500,IRR\n',
  'fare_leg_rules.txt': 'leg_group_id,fare_product_id\nbus,boarding\n',
};

/** Loads files (over BASE_FILES; undefined removes one) with a manifest. */
export function load(files: Readonly<Record<string, string | undefined>> = {}, manifest: object = MANIFEST): LoadResult {
  const all: Record<string, string> = {};
  for (const [name, text] of Object.entries({ ...BASE_FILES, ...files })) if (text !== undefined) all[name] = text;
  return compileFareBundle(manifest, all, 'manifest.json');
}

/** Loads and expects the bundle to be valid, showing the problems if not. */
export function bundle(files: Readonly<Record<string, string | undefined>> = {}, manifest: object = MANIFEST): FareBundle {
  const result = load(files, manifest);
  if (!result.ok) expect.fail(`bundle refused:\n${result.problems.map(formatProblem).join('\n')}`);
  return result.bundle;
}

/** The formatted problems of a bundle expected to be refused. */
export function problems(files: Readonly<Record<string, string | undefined>> = {}, manifest: object = MANIFEST): string[] {
  const result = load(files, manifest);
  if (result.ok) expect.fail('the bundle was accepted');
  return result.problems.map(formatProblem);
}

/** CSV from rows: csv(['a', 'b'], ['1', '2']); values with commas or quotes are quoted. */
export function csv(...rows: readonly (readonly string[])[]): string {
  const cell = (v: string): string => (/[",]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  return rows.map((r) => r.map(cell).join(',')).join('\n') + '\n';
}

/** Epoch ms of a wall time in Tehran: at('2025-06-02 07:30'). */
export function at(local: string): number {
  const t = parseInstant(local.replace(' ', 'T'), TEHRAN);
  if (t === null) throw new Error(`bad time ${local}`);
  return t;
}

export function card(overrides: Partial<CardData> = {}): CardData {
  return {
    uid: '04A1B2C3',
    number: '9826000000000001',
    category: 'adult',
    issued: '2025-01-01',
    expires: '2029-12-31',
    status: 'active',
    layoutVersion: 0,
    balance: 500_000,
    counter: 7,
    lastTrip: null,
    ...overrides,
  };
}

export function context(overrides: Partial<TapContext> = {}): TapContext {
  return { device: 'DEV-1', vehicle: 'BUS-7', route: '12', stop: null, reader: 'front', ...overrides };
}

/** A last trip on another bus, `minutesAgo` before `now`, as a first boarding (chain of its own). */
export function lastTrip(now: number, minutesAgo: number, overrides: Partial<LastTrip> = {}): LastTrip {
  const time = Math.floor((now - minutesAgo * 60_000) / 1000) * 1000;
  return { time, route: '7', stop: null, amount: 37_000, vehicle: 'BUS-2', device: 'DEV-2', transfersUsed: 0, chainStart: time, ...overrides };
}
