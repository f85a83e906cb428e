/** Waits between failed rounds: exponential with full jitter and a ceiling, or the receiver's Retry-After. */

export interface BackoffSettings {
  readonly baseMs: number;
  readonly maxMs: number;
}

/** Longest Retry-After honoured: a receiver asking for more is waited out in steps of this. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/** The wait before attempt `failures + 1`: uniform in [baseMs/2, min(maxMs, baseMs·2^failures)]. */
export function backoffDelay(failures: number, settings: BackoffSettings, random: () => number): number {
  const ceiling = Math.min(settings.maxMs, settings.baseMs * 2 ** Math.min(failures, 30));
  const floor = Math.min(settings.baseMs / 2, ceiling);
  return Math.round(floor + random() * (ceiling - floor));
}

/** Retry-After as milliseconds from `now` (delta-seconds or an HTTP date), or null when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now: number): number | null {
  if (value === undefined || value.trim() === '') return null;
  const text = value.trim();
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    const at = Date.parse(text);
    if (!Number.isFinite(at)) return null;
    ms = at - now;
  }
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}
