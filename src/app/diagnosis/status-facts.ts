/** The status document before judgement: what is known, from the daemon or from disk, and the problems only the daemon can name. */
import type { Config } from '../../config/schema.ts';
import type { Enrollment } from '../../../sync/client/enrollment.ts';
import type { StatusDocument } from './status-document.ts';

export type StatusFacts = Omit<StatusDocument, 'format' | 'checkedAt' | 'inService' | 'problems' | 'notes'>;

/** What a builder hands to the judgement besides the facts. */
export interface Gathered {
  readonly facts: StatusFacts;
  /** Why the daemon is out of service besides absent readers (`facts.readers`), in its words; empty when not running. */
  readonly outOfService: readonly string[];
  /** Why the daemon did not answer; null when it did. */
  readonly notRunning: string | null;
  /** The config in use (the defaults when the file is refused), for the judgement's limits. */
  readonly config: Config;
}

const MIB = 1024 * 1024;

/** The disk part: free space of the state directory's filesystem, and the config's two limits. */
export function diskFacts(stateDir: string, freeBytes: number | null, config: Config): StatusFacts['disk'] {
  return {
    path: stateDir,
    freeBytes,
    minFreeBytes: config.journal.minFreeMiB * MIB,
    pruneBelowBytes: config.journal.pruneWhenFreeBelowMiB * MIB,
  };
}

/** The enrollment part of `sync`, before the daemon's round state. */
export function enrollmentFacts(enrollment: Enrollment | null, config: Config): Pick<StatusFacts['sync'], 'enrolled' | 'enrolledAs' | 'enrolledAt' | 'backend'> {
  if (enrollment === null) return { enrolled: false, enrolledAs: null, enrolledAt: null, backend: config.sync.backendUrl };
  return {
    enrolled: true,
    enrolledAs: enrollment.deviceId,
    enrolledAt: enrollment.enrolledAt,
    backend: config.sync.backendUrl ?? enrollment.backendUrl,
  };
}

/** Seconds from an ISO time to `now`, never negative; null for null. */
export function ageSeconds(iso: string | null, now: number): number | null {
  if (iso === null) return null;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? Math.max(0, Math.round((now - t) / 1000)) : null;
}
