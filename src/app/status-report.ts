import type { JournalStats } from '../journal/types.ts';
import type { BacklogFacts, FareFacts, LastTapFacts } from './list-facts.ts';
import type { GpsStatus } from './start-gps.ts';
import type { SyncState } from '../../sync/client/sync-client.ts';
import type { ReaderState } from '../ports/card-reader.ts';
import type { FeedbackHealth } from '../ports/feedback-unit.ts';

/** What `validator status` shows; the daemon builds it, the CLI prints it. */
export interface StatusReport {
  readonly device: { readonly id: string; readonly vehicle: string; readonly route: string | null; readonly stop: string | null };
  readonly mode: 'simulation' | 'hardware';
  readonly softwareVersion: string;
  readonly pid: number;
  readonly startedAt: string;
  readonly stateDir: string;
  readonly configFile: string | null;
  /** Empty when in service; otherwise why not, most important first. */
  readonly problems: readonly string[];
  /** The problems other than absent readers (which `readers` gives, each with its reason); absent from an older daemon. */
  readonly problemsBesideReaders?: readonly string[];
  readonly readers: readonly { readonly id: string; readonly state: ReaderState }[];
  /** Each door's passenger feedback unit; a unit down does not stop taps (the journal is the record). */
  readonly feedback: readonly { readonly id: string; readonly health: FeedbackHealth }[];
  readonly journal: JournalStats;
  /** appliedAt: when the list in force was applied here, ISO (null: none yet; absent from an older daemon). */
  readonly denyList: { readonly version: string; readonly entries: number; readonly appliedAt?: string | null };
  /** The bundle in force since its effectiveFrom, and the next one scheduled (absent from an older daemon). */
  readonly fares: { readonly version: string } & Partial<FareFacts>;
  /** The unsynced taps and the oldest one's time (absent from an older daemon). */
  readonly backlog?: BacklogFacts;
  /** The receiver, the fix, the stop and the system clock's error; null without GPS (absent from an older daemon). */
  readonly gps?: GpsStatus | null;
  readonly lastTap: LastTapFacts | null;
  readonly sync: string;
  /** The sync client's state (null when not enrolled); `sync` is its one-line summary. */
  readonly syncState?: SyncState | null;
}

/** "in service", or "out of service: " and every problem: how STATUS= and the heartbeat word the service state. */
export function serviceSummary(problems: readonly string[]): string {
  return problems.length === 0 ? 'in service' : `out of service: ${problems.join('; ')}`;
}

/** How the daemon names an absent reader among its `problems`. */
export function absentReaderProblem(id: string, reason: string): string {
  return `reader ${id} absent: ${reason}`;
}

/** The daemon's problems other than its absent readers (which `readers` gives, each with its reason). */
export function problemsBesideReaders(report: Pick<StatusReport, 'problems' | 'problemsBesideReaders' | 'readers'>): string[] {
  if (report.problemsBesideReaders !== undefined) return [...report.problemsBesideReaders];
  // An older daemon does not say them apart: take its absent readers' own words out of `problems`.
  const readers = new Set(report.readers.flatMap((r) => (r.state.kind === 'absent' ? [absentReaderProblem(r.id, r.state.reason)] : [])));
  return report.problems.filter((p) => !readers.has(p));
}
