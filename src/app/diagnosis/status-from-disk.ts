/**
 * The status document's facts without the daemon: the config, the enrollment, the lists and the journal as the
 * daemon would find them at start. The journal opens read-only, and only while no process holds it.
 */
import { existsSync } from 'node:fs';
import type { Config } from '../../config/schema.ts';
import { describeError } from '../../domain/errors.ts';
import { fileSize, systemStatFs } from '../../journal/disk.ts';
import { ReadOnlyJournal } from '../../journal/read-only-journal.ts';
import type { Enrollment } from '../../../sync/client/enrollment.ts';
import { backlogFacts, lastTapFacts } from '../list-facts.ts';
import type { Paths } from '../paths.ts';
import { readDenyListFacts, readFareFacts } from './state-on-disk.ts';
import { ageSeconds, diskFacts, enrollmentFacts, type Gathered, type StatusFacts } from './status-facts.ts';

export interface FromDisk {
  readonly paths: Paths;
  readonly config: Config;
  readonly configProblem: string | null;
  readonly enrollment: Enrollment | null;
  readonly enrollmentProblem: string | null;
  /** Why the daemon did not answer. */
  readonly notRunning: string;
  readonly simulate: boolean;
  readonly softwareVersion: string;
  readonly now: number;
}

export function statusFromDisk(input: FromDisk): Gathered {
  const { paths, config, now } = input;
  const journal = journalFacts(paths.journal);
  const deny = readDenyListFacts(paths.stateDir);
  const fares = readFareFacts(config, paths, input.simulate, now);
  const denyAppliedAt = deny.ok && deny.value.appliedAt !== null ? new Date(deny.value.appliedAt).toISOString() : null;
  const faresFrom = fares.ok ? fares.value.effectiveFrom : null;
  const oldest = journal.backlog.oldestUnsyncedAt;
  let freeBytes: number | null = null;
  try {
    freeBytes = systemStatFs(paths.stateDir).freeBytes;
  } catch {
    // No state directory yet: nothing has run here; the journal's problem says so.
  }
  return {
    config,
    notRunning: input.notRunning,
    outOfService: [],
    facts: {
      running: false,
      service: { mode: input.simulate ? 'simulation' : 'hardware', pid: null, startedAt: null, softwareVersion: input.softwareVersion, controlSocket: paths.controlSocket },
      device: { id: config.device.id, vehicle: config.device.vehicle, route: config.device.route, stop: config.device.stop },
      stateDir: paths.stateDir,
      config: { file: paths.configFile, problem: input.configProblem },
      readers: config.readers.map((r) => ({ id: r.id, state: 'unknown', detail: input.simulate ? 'simulated' : `PC/SC reader matching "${r.name}"` })),
      displays: config.readers.map((r) => ({
        id: r.id,
        state: 'unknown',
        since: null,
        detail: r.feedback === null ? (input.simulate ? 'simulated' : 'none configured (readers[].feedback)') : `${r.feedback.port} at ${r.feedback.baudRate} baud`,
        lastError: null,
      })),
      gps: {
        configured: config.gps.port !== null || (input.simulate && config.gps.simulate !== 'off'),
        status: null,
        source: config.gps.port ?? (input.simulate && config.gps.simulate !== 'off' ? 'simulated' : null),
        stop: null,
        fix: null,
      },
      lastTap: journal.lastTap,
      journal: journal.journal,
      backlog: { ...journal.backlog, oldestUnsyncedAgeSeconds: ageSeconds(oldest, now) },
      sync: {
        ...enrollmentFacts(input.enrollment, config),
        lastSuccessAt: null,
        lastAttemptAt: null,
        failures: null,
        problem: input.enrollmentProblem,
      },
      denyList: deny.ok
        ? { version: deny.value.version, entries: deny.value.entries, appliedAt: denyAppliedAt, ageSeconds: ageSeconds(denyAppliedAt, now), problem: null }
        : { version: 'unreadable', entries: null, appliedAt: null, ageSeconds: null, problem: deny.problem },
      fares: fares.ok
        ? { ...fares.value, ageSeconds: ageSeconds(faresFrom, now), problem: null }
        : { version: 'none', effectiveFrom: null, ageSeconds: null, next: null, problem: fares.problem },
      clock: { now: new Date(now).toISOString(), timeZone: config.network.timeZone, backendErrorMs: null, gpsErrorMs: null },
      disk: diskFacts(paths.stateDir, freeBytes, config),
    },
  };
}

interface JournalPart {
  readonly journal: StatusFacts['journal'];
  readonly backlog: Omit<StatusFacts['backlog'], 'oldestUnsyncedAgeSeconds'>;
  readonly lastTap: StatusFacts['lastTap'];
}

function journalFacts(path: string): JournalPart {
  if (!existsSync(path)) {
    // Before the first start there is no journal: not a fault (the judgement notes it).
    return {
      journal: { path, problem: null, lastSeq: null, records: null, syncedThrough: null, openDebits: null, sizeBytes: 0 },
      backlog: { taps: null, oldestUnsyncedAt: null },
      lastTap: null,
    };
  }
  let journal: ReadOnlyJournal;
  try {
    journal = ReadOnlyJournal.open(path);
  } catch (e) {
    return {
      journal: { path, problem: describeError(e), lastSeq: null, records: null, syncedThrough: null, openDebits: null, sizeBytes: fileSize(path) },
      backlog: { taps: null, oldestUnsyncedAt: null },
      lastTap: null,
    };
  }
  try {
    const stats = journal.stats();
    return {
      journal: {
        path,
        problem: null,
        lastSeq: stats.lastSeq,
        records: stats.records,
        syncedThrough: stats.syncedThrough,
        openDebits: stats.openIntents,
        sizeBytes: stats.sizeBytes,
      },
      backlog: backlogFacts(journal, stats),
      lastTap: lastTapFacts(journal, stats),
    };
  } finally {
    journal.close();
  }
}
