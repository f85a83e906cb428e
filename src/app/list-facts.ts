/** What status says about the lists in force and the backlog: the daemon's and the depot's view alike. */
import type { FarePolicy } from '../domain/fare-policy.ts';
import { ScheduledFarePolicy, NO_BUNDLE_VERSION } from '../fares/scheduled-fare-policy.ts';
import { SwappableFarePolicy } from '../fares/swappable-fare-policy.ts';
import type { SyncPosition, TapRecord } from '../journal/types.ts';

/** The fare bundle in force and the next one scheduled; times ISO. */
export interface FareFacts {
  readonly version: string;
  /** When the bundle in force took effect (its manifest's effectiveFrom); null when none is in force. */
  readonly effectiveFrom: string | null;
  /** The next bundle held, to take over at its effectiveFrom. */
  readonly next: { readonly version: string; readonly effectiveFrom: string } | null;
}

/** The unsynced taps: how many, and the time of the oldest (how long the backend has been missing it). */
export interface BacklogFacts {
  readonly taps: number;
  readonly oldestUnsyncedAt: string | null;
}

/** The schedule's bundle in force at `now` and the next after it; a policy without a schedule gives its version only. */
export function fareFacts(fares: FarePolicy, now: number): FareFacts {
  const schedule = fares instanceof SwappableFarePolicy ? fares.schedule : fares instanceof ScheduledFarePolicy ? fares : null;
  if (schedule === null) return { version: fares.version, effectiveFrom: null, next: null };
  const current = schedule.policyAt(now)?.bundle ?? null;
  const next = schedule.bundles.find((b) => b.effectiveFrom > now) ?? null;
  return {
    version: current?.version ?? NO_BUNDLE_VERSION,
    effectiveFrom: current === null ? null : new Date(current.effectiveFrom).toISOString(),
    next: next === null ? null : { version: next.version, effectiveFrom: new Date(next.effectiveFrom).toISOString() },
  };
}

/** Taps journaled and not yet acknowledged by the backend. */
export function unsyncedTaps(position: SyncPosition): number {
  return position.lastSeq - position.syncedThrough;
}

/** The last tap journaled, as status shows it. */
export interface LastTapFacts {
  readonly seq: number;
  readonly time: string;
  readonly result: string;
  readonly reason: string;
}

/** What a journal needs to answer for the backlog and the last tap (the daemon's journal and the read-only one both do). */
export interface TapSource {
  list(sinceSeq: number, limit: number): TapRecord[];
}

/** The backlog at `stats` (the caller's own read of the journal's stats). */
export function backlogFacts(journal: TapSource, stats: SyncPosition): BacklogFacts {
  const taps = unsyncedTaps(stats);
  const oldest = taps > 0 ? journal.list(stats.syncedThrough, 1)[0] : undefined;
  return { taps, oldestUnsyncedAt: oldest ? new Date(oldest.time).toISOString() : null };
}

/** The last tap at `stats` (the caller's own read of the journal's stats); null when the journal holds none. */
export function lastTapFacts(journal: TapSource, stats: SyncPosition): LastTapFacts | null {
  const last = stats.lastSeq > 0 ? journal.list(stats.lastSeq - 1, 1)[0] : undefined;
  return last ? { seq: last.seq, time: new Date(last.time).toISOString(), result: last.result, reason: last.reason } : null;
}
