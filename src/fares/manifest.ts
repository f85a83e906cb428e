import { isTimeZone, parseInstant } from './local-time.ts';
import type { Problems } from './problems.ts';

/** What a bundle says about itself besides its GTFS files. */
export interface Manifest {
  /** Recorded with every tap charged under the bundle. */
  readonly version: string;
  /** When the bundle takes effect: "2025-04-21" (local midnight) or an ISO time, with or without an offset. */
  readonly effectiveFrom: string;
  /** Always IRR: the card keeps integer rials. */
  readonly currency: string;
  /** IANA zone of the timeframes and of effectiveFrom without an offset (Asia/Tehran). */
  readonly timezone: string;
}

/** The manifest with its instant resolved. */
export interface CheckedManifest extends Manifest {
  readonly effectiveFromMs: number;
}

const FIELDS = ['version', 'effectiveFrom', 'currency', 'timezone'] as const;

/** Checks a manifest (manifest.json, or the same fields of the backend's document); `extra` are other keys allowed. */
export function checkManifest(value: unknown, where: string, problems: Problems, extra: readonly string[] = []): CheckedManifest | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.add(where, 0, 'not a JSON object with version, effectiveFrom, currency and timezone');
    return null;
  }
  const doc = value as Record<string, unknown>;
  for (const key of Object.keys(doc)) {
    if (!(FIELDS as readonly string[]).includes(key) && !extra.includes(key)) problems.add(where, 0, `unknown field "${key}" (known: ${[...FIELDS, ...extra].join(', ')})`);
  }
  const text = (key: (typeof FIELDS)[number]): string | null => {
    const v = doc[key];
    if (typeof v === 'string' && v !== '') return v;
    problems.add(where, 0, `"${key}" must be a non-empty string`);
    return null;
  };
  const [version, effectiveFrom, currency, timezone] = FIELDS.map(text);
  if (version && !/^[\x21-\x7e]{1,64}$/.test(version)) problems.add(where, 0, `version "${version}": 1 to 64 printable ASCII characters, no spaces`);
  if (currency && currency !== 'IRR') problems.add(where, 0, `currency ${currency}: the Qom Card keeps integer rials, so the currency must be IRR`);
  const zoneOk = timezone !== null && timezone !== undefined && isTimeZone(timezone);
  if (timezone && !zoneOk) problems.add(where, 0, `timezone "${timezone}" is not an IANA time zone (Asia/Tehran)`);
  const effectiveFromMs = effectiveFrom ? parseInstant(effectiveFrom, zoneOk ? timezone : 'UTC') : null;
  if (effectiveFrom && effectiveFromMs === null) {
    problems.add(where, 0, `effectiveFrom "${effectiveFrom}" is not a date (2025-04-21) or an ISO time (2025-04-21T00:00:00+03:30)`);
  }
  if (!version || !effectiveFrom || !currency || !timezone || !zoneOk || effectiveFromMs === null || currency !== 'IRR') return null;
  return { version, effectiveFrom, currency, timezone, effectiveFromMs };
}
