/**
 * From what status found to what the technician must do: problems (exit 1) most urgent first, and notes. Each
 * finding has a stable code for scripts (docs/depot.md, "validator status", lists them) and says what to do.
 */
import type { Gathered } from './status-facts.ts';
import { STATUS_FORMAT, type Finding, type StatusDocument } from './status-document.ts';

/** A system clock further than this from the backend's or GPS's is a problem: tap times and expiry days go wrong. */
export const CLOCK_TOLERANCE_MS = 60_000;
/** Unsynced taps older than this mean the backend has not heard from the bus for a day. */
export const BACKLOG_AGE_LIMIT_S = 24 * 3600;
/** A deny list applied longer ago than this is worth a look (the backend publishes at least daily). */
export const DENY_LIST_AGE_NOTE_S = 7 * 24 * 3600;

const SERVICE = 'start it: sudo systemctl start validator (if it hangs: sudo systemctl restart validator); why it stopped: journalctl -u validator -n 50; in a checkout: npm start';
const LOGS = 'journalctl -u validator -n 50';

/** The finished document: the facts, and the problems and notes they imply. */
export function judgeStatus(gathered: Gathered, now: number): StatusDocument {
  const { facts } = gathered;
  const problems: Finding[] = [];
  const notes: Finding[] = [];
  const simulation = facts.service.mode === 'simulation';
  const problem = (code: string, what: string, fix: string): void => void problems.push({ code, what, fix });
  const note = (code: string, what: string, fix: string): void => void notes.push({ code, what, fix });
  // In simulation a missing backend or list is how npm start begins, not a fault.
  const problemUnlessSimulated = simulation ? note : problem;

  if (gathered.notRunning !== null) problem('service-not-running', `the validator service is not running: ${gathered.notRunning}`, SERVICE);
  if (facts.config.problem !== null) {
    problem('config-invalid', facts.config.problem, `correct ${facts.config.file ?? 'the config file'} (every problem is listed above), then: validator selftest`);
  }

  for (const line of gathered.outOfService) problem('out-of-service', line, `follow what the message says; the daemon's log: ${LOGS}`);
  const absent = facts.readers.filter((r) => r.state === 'absent');
  for (const r of absent) {
    problem(
      'reader-absent',
      `reader ${r.id} is absent: ${r.detail}; this door is out of service`,
      'check the reader\'s USB cable and power; pcsc_scan lists the readers pcscd sees (systemctl status pcscd), and readers[].name in the config must match one',
    );
  }

  const { disk } = facts;
  if (disk.freeBytes !== null && disk.freeBytes < disk.minFreeBytes) {
    problem('disk-full', `only ${mib(disk.freeBytes)} free on ${disk.path}, below the ${mib(disk.minFreeBytes)} debits need`, `free space there (du -sh ${disk.path}/*), or sync so that old taps can be pruned`);
  } else if (disk.freeBytes !== null && disk.freeBytes < disk.pruneBelowBytes) {
    note('disk-low', `${mib(disk.freeBytes)} free on ${disk.path}: synced taps past retention are being pruned`, `free space there if it keeps falling (du -sh ${disk.path}/*)`);
  }

  if (facts.journal.problem !== null) {
    problem('journal-unreadable', facts.journal.problem, `if a validator process still runs, stop it (sudo systemctl stop validator); else: validator selftest checks the journal`);
  } else if (facts.journal.lastSeq === null && !facts.running) {
    note('journal-none', `no journal in ${facts.stateDir} yet: no validator has run with this state directory`, SERVICE);
  }

  if (facts.fares.problem !== null) problem('fares-unreadable', facts.fares.problem, 'put a checked bundle in place (validator fares check DIR), or let sync fetch it');
  else if (facts.fares.effectiveFrom === null) {
    problem('fares-none', 'no fare bundle is in force: every tap is refused (NO_FARE)', 'let sync fetch the bundle (validator sync now), or set fares.bundle in the config');
  }

  if (facts.denyList.problem !== null) {
    problem('deny-list-unreadable', facts.denyList.problem, 'move the damaged files aside and import the current full list: validator denylist import FILE');
  } else if (facts.denyList.version === 'none') {
    problemUnlessSimulated('deny-list-none', 'no deny list: every card passes the deny-list check', 'validator sync now (the backend sends it), or validator denylist import FILE');
  } else if (facts.denyList.ageSeconds !== null && facts.denyList.ageSeconds > DENY_LIST_AGE_NOTE_S) {
    note('deny-list-old', `the deny list in force was applied ${age(facts.denyList.ageSeconds)} ago`, 'check that sync succeeds (validator sync now): the backend sends each new list');
  }

  for (const [source, error] of [['the backend', facts.clock.backendErrorMs], ['GPS', facts.clock.gpsErrorMs]] as const) {
    if (error === null || Math.abs(error) <= CLOCK_TOLERANCE_MS) continue;
    problem(
      'clock-off',
      `the system clock is ${clockOffset(error)} ${source}: tap times and expiry days are wrong`,
      'timedatectl status; turn on NTP (sudo timedatectl set-ntp true) and check that it reaches a time server, or set it: sudo timedatectl set-time "YYYY-MM-DD HH:MM:SS"',
    );
  }

  for (const d of facts.displays.filter((x) => x.state === 'down')) {
    problem(
      'display-down',
      `door ${d.id}'s passenger display does not answer (${d.lastError ?? 'no answer'}, ${d.detail}); taps go on without feedback`,
      `check the feedback unit's cable and power at door ${d.id} (${d.detail}); it gets the current screen as soon as it answers`,
    );
  }

  if (facts.running && facts.gps.configured && facts.gps.status === 'no-receiver') {
    problem('gps-no-receiver', `the GPS receiver on ${facts.gps.source ?? '?'} is not there: taps go without a stop`, 'check the receiver\'s USB cable; ls -l /dev/serial/by-id/; the port must match gps.port in the config');
  } else if (facts.running && facts.gps.configured && (facts.gps.status === 'no-fix' || facts.gps.status === 'stale')) {
    note('gps-no-fix', `GPS has no current fix (${facts.gps.status}): taps go without a stop`, 'normal indoors; outside, check the antenna');
  }

  const { sync } = facts;
  if (!sync.enrolled && sync.problem !== null) {
    problem('enrollment-unreadable', sync.problem, 'enroll again: validator enroll --backend URL --code CODE --device-id ID');
  } else if (!sync.enrolled) {
    problemUnlessSimulated('not-enrolled', 'not enrolled with a backend: taps stay in the journal', 'validator enroll --backend URL --code CODE --device-id ID, then sudo systemctl restart validator');
  } else if (sync.problem !== null) {
    problem(
      'sync-failing',
      `sync is failing${sync.failures ? ` (${sync.failures} rounds in a row)` : ''}: ${sync.problem}`,
      `check the network and ${sync.backend ?? 'the backend URL'}; validator selftest tests the backend; taps wait in the journal`,
    );
  }

  const backlogAge = facts.backlog.oldestUnsyncedAgeSeconds;
  if (backlogAge !== null && backlogAge > BACKLOG_AGE_LIMIT_S && facts.backlog.taps !== null) {
    problemUnlessSimulated(
      'backlog-old',
      `${facts.backlog.taps} taps not synced, the oldest from ${age(backlogAge)} ago`,
      'validator sync now; without a network: validator export --to /media/usb, and import the file at the depot',
    );
  }
  if (facts.journal.openDebits !== null && facts.journal.openDebits > 0) {
    note('debits-open', `${facts.journal.openDebits} interrupted debit(s) open`, 'none: each resolves when its card comes back, or is journaled unresolved after tap.unresolvedAfterHours');
  }

  return {
    format: STATUS_FORMAT,
    checkedAt: new Date(now).toISOString(),
    inService: facts.running && gathered.outOfService.length === 0 && !facts.readers.some((r) => r.state === 'absent'),
    problems,
    notes,
    ...facts,
  };
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** "0.4 s behind", "3 d 4 h ahead of": a clock error (positive: the system clock is behind) for people. */
export function clockOffset(errorMs: number): string {
  const seconds = Math.abs(errorMs) / 1000;
  return `${seconds < 60 ? `${seconds.toFixed(1)} s` : age(seconds)} ${errorMs >= 0 ? 'behind' : 'ahead of'}`;
}

/** "3 d 4 h", "5 h 12 min", "40 s": an age for people. */
export function age(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}
