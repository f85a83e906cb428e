/** The status document's facts from the running daemon's report (control method `status`). */
import type { Config } from '../../config/schema.ts';
import type { Enrollment } from '../../../sync/client/enrollment.ts';
import type { Paths } from '../paths.ts';
import { unsyncedTaps } from '../list-facts.ts';
import { problemsBesideReaders, type StatusReport } from '../status-report.ts';
import { ageSeconds, diskFacts, enrollmentFacts, type Gathered } from './status-facts.ts';

export interface FromDaemon {
  readonly report: StatusReport;
  readonly paths: Paths;
  /** The daemon's config file read again here, for its limits (the defaults when it cannot be read). */
  readonly config: Config;
  readonly configProblem: string | null;
  readonly enrollment: Enrollment | null;
  readonly now: number;
}

export function statusFromDaemon(input: FromDaemon): Gathered {
  const { report: r, config, now } = input;
  const sync = r.syncState ?? null;
  // The daemon's sync client exists only when it is enrolled, whether or not this user may read the record.
  const enrolled =
    input.enrollment === null && sync !== null
      ? { enrolled: true, enrolledAs: null, enrolledAt: null, backend: sync.backend }
      : enrollmentFacts(input.enrollment, config);
  const backlogTaps = r.backlog?.taps ?? unsyncedTaps(r.journal);
  const oldest = r.backlog?.oldestUnsyncedAt ?? null;
  const denyAppliedAt = r.denyList.appliedAt ?? null;
  const faresFrom = r.fares.effectiveFrom ?? null;
  return {
    config,
    notRunning: null,
    outOfService: problemsBesideReaders(r),
    facts: {
      running: true,
      service: {
        mode: r.mode,
        pid: r.pid,
        startedAt: r.startedAt,
        softwareVersion: r.softwareVersion,
        controlSocket: input.paths.controlSocket,
      },
      device: r.device,
      stateDir: r.stateDir,
      config: { file: r.configFile, problem: input.configProblem },
      readers: r.readers.map((x) => ({
        id: x.id,
        state: x.state.kind,
        detail: x.state.kind === 'ready' ? x.state.name : x.state.reason,
      })),
      // A daemon older than the feedback unit driver sends no feedback list.
      displays: (r.feedback ?? []).map((x) => ({
        id: x.id,
        state: x.health.state,
        since: x.health.since === null ? null : new Date(x.health.since).toISOString(),
        detail: x.health.detail,
        lastError: x.health.lastError,
      })),
      gps: {
        configured: r.gps !== null && r.gps !== undefined,
        status: r.gps?.status ?? null,
        source: r.gps?.source ?? null,
        stop: r.gps?.stop ?? null,
        fix: r.gps?.fix ? { time: r.gps.fix.time, lat: r.gps.fix.lat, lon: r.gps.fix.lon } : null,
      },
      lastTap: r.lastTap,
      journal: {
        path: r.journal.path,
        problem: null,
        lastSeq: r.journal.lastSeq,
        records: r.journal.records,
        syncedThrough: r.journal.syncedThrough,
        openDebits: r.journal.openIntents,
        sizeBytes: r.journal.sizeBytes,
      },
      backlog: { taps: backlogTaps, oldestUnsyncedAt: oldest, oldestUnsyncedAgeSeconds: ageSeconds(oldest, now) },
      sync: {
        ...enrolled,
        // npm start's receiver gets a new port at each start: the daemon's URL is the one in use.
        backend: sync?.backend ?? enrolled.backend,
        lastSuccessAt: sync?.lastSuccessAt ?? null,
        lastAttemptAt: sync?.lastAttemptAt ?? null,
        failures: sync?.failures ?? null,
        problem: sync ? [sync.problem, sync.denyListProblem, sync.faresProblem].filter((p) => p !== null).join('; ') || null : null,
      },
      denyList: {
        version: r.denyList.version,
        entries: r.denyList.entries,
        appliedAt: denyAppliedAt,
        ageSeconds: ageSeconds(denyAppliedAt, now),
        problem: null,
      },
      fares: {
        version: r.fares.version,
        effectiveFrom: faresFrom,
        ageSeconds: ageSeconds(faresFrom, now),
        next: r.fares.next ?? null,
        problem: null,
      },
      clock: {
        now: new Date(now).toISOString(),
        timeZone: config.network.timeZone,
        backendErrorMs: sync?.clockErrorMs === null || sync?.clockErrorMs === undefined ? null : Math.round(sync.clockErrorMs),
        gpsErrorMs: r.gps?.clockErrorMs ?? null,
      },
      disk: diskFacts(r.stateDir, r.journal.freeBytes, config),
    },
  };
}
