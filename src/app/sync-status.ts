/** How the daemon shows sync: one line for `validator status`, the whole state for --json. */
import type { HeartbeatSource } from '../../sync/client/ports.ts';
import type { ExportResult } from '../../sync/client/export-unsynced.ts';
import type { RoundResult, SyncState } from '../../sync/client/sync-client.ts';
import { gpsSummary } from './start-gps.ts';
import { serviceSummary, type StatusReport } from './status-report.ts';

/** What the app needs of the sync client. */
export interface SyncHandle {
  status(): SyncState;
  syncNow(): Promise<RoundResult>;
  exportTo(dir: string): Promise<ExportResult | null>;
}

/** The `sync` line: backend, last success, clock error, and any problem, lists' included. */
export function syncSummary(sync: SyncHandle | null): string {
  if (sync === null) return 'not enrolled with a backend (validator enroll --backend URL --code CODE --device-id ID); taps stay in the journal';
  const s = sync.status();
  const parts = [
    s.backend,
    `last success ${s.lastSuccessAt ?? 'never'}`,
    `clock error ${s.clockErrorMs === null ? 'unknown' : `${Math.round(s.clockErrorMs)} ms`}`,
  ];
  if (s.problem !== null) parts.push(`FAILING (${s.failures}×, next in ${Math.round((s.nextAttemptInMs ?? 0) / 1000)} s): ${s.problem}`);
  if (s.denyListProblem !== null) parts.push(s.denyListProblem);
  if (s.faresProblem !== null) parts.push(s.faresProblem);
  return parts.join(' · ');
}

/** The heartbeat's device health, from what `validator status` reports. */
export function heartbeatFrom(report: StatusReport): ReturnType<HeartbeatSource> {
  const readers = report.readers.map((r) => `${r.id} ${r.state.kind === 'ready' ? 'ready' : `absent (${r.state.reason})`}`).join(', ');
  return {
    denyListVersion: report.denyList.version,
    faresVersion: report.fares.version,
    readers,
    // The receiver, its fix and stop, and the system clock against GPS time.
    gps: gpsSummary(report.gps),
    display: [
      serviceSummary(report.problems),
      ...report.feedback.map((f) => `${f.id} feedback unit ${f.health.state}${f.health.lastError ? ` (${f.health.lastError})` : ''}`),
    ].join('; '),
    freeDiskBytes: report.journal.freeBytes,
    softwareVersion: report.softwareVersion,
  };
}
