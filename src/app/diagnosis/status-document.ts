/**
 * `validator status --json`: one document, the same shape whether the daemon answered or the state directory was
 * read without it. Times are ISO 8601 UTC; sizes bytes; a field the CLI cannot know (the daemon is not running, or
 * is older) is null, never missing. Fields are documented in docs/depot.md ("validator status"); `format` changes only
 * when a field changes meaning or goes away.
 */

export const STATUS_FORMAT = 1;

/** Something the technician should act on (`problems`), or know (`notes`): what, and what to do. */
export interface Finding {
  /** A stable key for scripts: "service-not-running", "reader-absent", "sync-failing"… (docs/depot.md). */
  readonly code: string;
  readonly what: string;
  readonly fix: string;
}

export interface StatusDocument {
  readonly format: typeof STATUS_FORMAT;
  /** When this status was taken. */
  readonly checkedAt: string;
  /** The daemon answered on its control socket. */
  readonly running: boolean;
  /** Running and taking taps at every door: no problem that stops a tap. */
  readonly inService: boolean;
  /** Most urgent first; empty when all is well. Any problem makes the exit code 1. */
  readonly problems: readonly Finding[];
  /** Worth knowing, taps go on (GPS without a fix indoors, a simulation not enrolled). */
  readonly notes: readonly Finding[];
  readonly service: {
    /** "simulation" | "hardware"; from the daemon, or guessed from the state directory when it is not running. */
    readonly mode: 'simulation' | 'hardware';
    readonly pid: number | null;
    readonly startedAt: string | null;
    /** The daemon's version when it runs, else this CLI's. */
    readonly softwareVersion: string;
    readonly controlSocket: string;
  };
  readonly device: { readonly id: string; readonly vehicle: string; readonly route: string | null; readonly stop: string | null };
  readonly stateDir: string;
  readonly config: { readonly file: string | null; readonly problem: string | null };
  /** Each door's reader: "ready", "absent", or "unknown" while the daemon is not running. */
  readonly readers: readonly { readonly id: string; readonly state: 'ready' | 'absent' | 'unknown'; readonly detail: string }[];
  /** Each door's passenger display (feedback unit): "up", "down", "unknown" (not heard from, or not running). */
  readonly displays: readonly {
    readonly id: string;
    readonly state: 'up' | 'down' | 'unknown';
    readonly since: string | null;
    readonly detail: string;
    readonly lastError: string | null;
  }[];
  readonly gps: {
    /** A receiver is configured (gps.port), or simulated. */
    readonly configured: boolean;
    /** "fix" | "no-fix" | "stale" | "no-receiver"; null while the daemon is not running or without GPS. */
    readonly status: string | null;
    readonly source: string | null;
    readonly stop: string | null;
    readonly fix: { readonly time: string; readonly lat: number; readonly lon: number } | null;
  };
  readonly lastTap: { readonly seq: number; readonly time: string; readonly result: string; readonly reason: string } | null;
  readonly journal: {
    readonly path: string;
    /** Why its figures are missing: it could not be read (held by a daemon that does not answer, damaged). */
    readonly problem: string | null;
    readonly lastSeq: number | null;
    readonly records: number | null;
    readonly syncedThrough: number | null;
    readonly openDebits: number | null;
    readonly sizeBytes: number;
  };
  readonly backlog: {
    /** Taps not yet acknowledged by the backend. */
    readonly taps: number | null;
    readonly oldestUnsyncedAt: string | null;
    readonly oldestUnsyncedAgeSeconds: number | null;
  };
  readonly sync: {
    readonly enrolled: boolean;
    /** The device id the backend knows; the config's device.id unless enrolled otherwise. */
    readonly enrolledAs: string | null;
    readonly enrolledAt: string | null;
    readonly backend: string | null;
    /** The last successful round; null when none since the daemon started, or not running. */
    readonly lastSuccessAt: string | null;
    readonly lastAttemptAt: string | null;
    readonly failures: number | null;
    /** Why the last round failed, or a list was refused; null when fine or unknown. */
    readonly problem: string | null;
  };
  readonly denyList: {
    readonly version: string;
    readonly entries: number | null;
    /** When this validator applied it (built it in from a list file); null: none yet, or unknown. */
    readonly appliedAt: string | null;
    readonly ageSeconds: number | null;
    readonly problem: string | null;
  };
  readonly fares: {
    readonly version: string;
    /** The bundle in force took effect at this time (its effectiveFrom); ageSeconds counts from it. */
    readonly effectiveFrom: string | null;
    readonly ageSeconds: number | null;
    readonly next: { readonly version: string; readonly effectiveFrom: string } | null;
    readonly problem: string | null;
  };
  /** The system clock against the backend and GPS: positive ms, the system clock is behind. */
  readonly clock: {
    readonly now: string;
    /** The config's network.timeZone: the zone the table's Solar Hijri times are in. */
    readonly timeZone: string;
    readonly backendErrorMs: number | null;
    readonly gpsErrorMs: number | null;
  };
  readonly disk: {
    readonly path: string;
    readonly freeBytes: number | null;
    /** Below this the validator stops debiting (journal.minFreeMiB). */
    readonly minFreeBytes: number;
    /** Below this it prunes synced taps past retention (journal.pruneWhenFreeBelowMiB). */
    readonly pruneBelowBytes: number;
  };
}
