import { DenyListError, DenyListProblem } from './deny-list-error.ts';

/** The first line of a list file: `{"version","kind":"full"|"delta","baseVersion","count"}`. */
export interface ListHeader {
  readonly version: string;
  readonly kind: 'full' | 'delta';
  /** The version a delta applies to; null for a full list. */
  readonly baseVersion: string | null;
  /** How many entry lines follow. */
  readonly count: number;
}

/** Twice the design scale of 10 million: more would not fit the board's memory while it is built. */
export const MAX_LIST_ENTRIES = 20_000_000;

const HEADER_KEYS = new Set(['version', 'kind', 'baseVersion', 'count']);
const VERSION = /^[\x21-\x7e]{1,64}$/;

/** Checks the header line; `source` names the file in messages. */
export function parseHeader(text: string, source: string): ListHeader {
  const fail = (what: string): never => {
    throw new DenyListError(
      DenyListProblem.BadList,
      `${source} line 1 (the header): ${what}. The first line must be {"version":…,"kind":"full"|"delta","baseVersion":…,"count":…}`,
    );
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return fail(`not JSON (${(e as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('not a JSON object');
  const fields = value as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((k) => !HEADER_KEYS.has(k));
  if (unknown.length > 0) return fail(`unknown field ${unknown.map((k) => JSON.stringify(k)).join(', ')}`);

  const version = versionText(fields['version']);
  if (version === null) return fail('"version" must be a string of 1 to 64 printable ASCII characters without spaces, or a whole number');
  const kind = fields['kind'];
  if (kind !== 'full' && kind !== 'delta') return fail(`"kind" must be "full" or "delta", not ${JSON.stringify(kind)}`);
  const count = fields['count'];
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) return fail(`"count" must be a whole number ≥ 0, not ${JSON.stringify(count)}`);
  if (count > MAX_LIST_ENTRIES) return fail(`"count" is ${count}; the validator holds at most ${MAX_LIST_ENTRIES} entries`);

  const rawBase = fields['baseVersion'];
  if (kind === 'full') {
    if (rawBase !== undefined && rawBase !== null) return fail(`a full list has "baseVersion": null, not ${JSON.stringify(rawBase)}`);
    return { version, kind, baseVersion: null, count };
  }
  const baseVersion = versionText(rawBase);
  if (baseVersion === null) return fail('a delta needs "baseVersion": the version it applies to');
  if (baseVersion === version) return fail(`a delta's "version" and "baseVersion" are both ${JSON.stringify(version)}`);
  return { version, kind, baseVersion, count };
}

function versionText(v: unknown): string | null {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  if (typeof v === 'string' && VERSION.test(v)) return v;
  return null;
}
