import { resolvePaths } from '../app/paths.ts';
import { gpsSummary } from '../app/start-gps.ts';
import type { StatusReport } from '../app/status-report.ts';
import { callControl } from '../control/control-client.ts';
import { ErrorCode, isValidatorError } from '../domain/errors.ts';
import type { FeedbackHealth } from '../ports/feedback-unit.ts';

export interface StatusCommandOptions {
  readonly stateDir?: string;
  readonly json?: boolean;
}

/** `validator status`: the running daemon's state, problems first. Exit 1 when it is not in service. */
export async function statusCommand(options: StatusCommandOptions): Promise<number> {
  const paths = resolvePaths(options);
  let report: StatusReport;
  try {
    report = (await callControl(paths.controlSocket, 'status', {}, { timeoutMs: 5_000 })) as StatusReport;
  } catch (e) {
    if (!isValidatorError(e, ErrorCode.ControlUnavailable)) throw e;
    if (options.json) process.stdout.write(JSON.stringify({ running: false, stateDir: paths.stateDir, problem: e.message }) + '\n');
    else process.stdout.write(`not running: ${e.message}\n`);
    return 1;
  }
  if (options.json) process.stdout.write(JSON.stringify({ running: true, ...report }) + '\n');
  else process.stdout.write(formatStatus(report));
  return report.problems.length === 0 ? 0 : 1;
}

/** Aligned `key  value` lines, problems first. */
export function formatStatus(r: StatusReport): string {
  const rows: [string, string][] = [
    ['state', r.problems.length === 0 ? 'in service' : `OUT OF SERVICE: ${r.problems.join('; ')}`],
    ['device', `${r.device.id} · bus ${r.device.vehicle} · route ${r.device.route ?? '-'} · stop ${r.device.stop ?? '-'}`],
    ['mode', `${r.mode} · software ${r.softwareVersion} · pid ${r.pid} · since ${r.startedAt}`],
    ...r.readers.map((x): [string, string] => [`reader ${x.id}`, x.state.kind === 'ready' ? `ready (${x.state.name})` : `absent: ${x.state.reason}`]),
    // A daemon older than the feedback unit driver sends no feedback list.
    ...(r.feedback ?? []).map((x): [string, string] => [`display ${x.id}`, formatFeedback(x.health)]),
    ...(r.gps ? [['gps', gpsSummary(r.gps)] as [string, string]] : []),
    ['last tap', r.lastTap ? `#${r.lastTap.seq} ${r.lastTap.time} ${r.lastTap.result} ${r.lastTap.reason}` : 'none'],
    ['journal', `${r.journal.records} records, last seq ${r.journal.lastSeq}, ${r.journal.openIntents} open debits, ${mib(r.journal.sizeBytes)}`],
    ['backlog', `${r.journal.lastSeq - r.journal.syncedThrough} taps not yet synced`],
    ['sync', r.sync],
    ['deny list', `version ${r.denyList.version}, ${r.denyList.entries} cards`],
    ['fares', `version ${r.fares.version}`],
    ['disk free', mib(r.journal.freeBytes)],
    ['state dir', r.stateDir],
    ['config', r.configFile ?? 'defaults (no config file)'],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n';
}

/** "up (/dev/ttyUSB0 at 115200 baud)", or "DOWN since …: no ack after 3 sends (…)". */
export function formatFeedback(h: FeedbackHealth): string {
  const since = h.since === null ? '' : ` since ${new Date(h.since).toISOString()}`;
  if (h.state === 'down') return `DOWN${since}: ${h.lastError ?? 'no answer'} (${h.detail}); taps go on`;
  return `${h.state}${since} (${h.detail})${h.lastError ? `, last error: ${h.lastError}` : ''}`;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
