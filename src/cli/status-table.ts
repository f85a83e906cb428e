/**
 * `validator status` for people: the problems first, each with what to do, then one aligned table. Times in the
 * Solar Hijri calendar in the config's time zone, Latin digits (they line up with everything else the
 * technician reads), each with its age.
 */
import { age, clockOffset } from '../app/diagnosis/judge-status.ts';
import type { Finding, StatusDocument } from '../app/diagnosis/status-document.ts';
import { formatJalaliDateTime } from '../feedback/solar-hijri.ts';

const count = new Intl.NumberFormat('en-US');

export function formatStatusTable(doc: StatusDocument): string {
  const now = Date.parse(doc.checkedAt);
  const when = (iso: string | null): string => {
    if (iso === null) return 'never';
    const t = Date.parse(iso);
    const ago = Math.round((now - t) / 1000);
    return `${formatJalaliDateTime(t, doc.clock.timeZone)} (${ago >= 0 ? `${age(ago)} ago` : `in ${age(-ago)}`})`;
  };
  const out: string[] = [];
  if (doc.problems.length > 0) out.push(`PROBLEMS (${doc.problems.length})`, ...findings(doc.problems, true), '');
  if (doc.notes.length > 0) out.push('NOTES', ...findings(doc.notes, false), '');
  out.push(...alignRows(rows(doc, when)));
  return out.join('\n') + '\n';
}

function findings(list: readonly Finding[], numbered: boolean): string[] {
  return list.flatMap((f, i) => {
    const mark = numbered ? `${i + 1}.` : '-';
    return [`  ${mark} ${f.what}`, `  ${' '.repeat(mark.length)} → ${f.fix}`];
  });
}

/** Keys padded to the widest, so that every value starts in the same column. */
export function alignRows(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
}

function rows(doc: StatusDocument, when: (iso: string | null) => string): [string, string][] {
  const { service, device, journal, backlog, denyList, fares, disk } = doc;
  const state = doc.running
    ? `${doc.inService ? 'IN SERVICE' : 'OUT OF SERVICE'} · ${service.mode} · pid ${service.pid ?? '?'} · started ${when(service.startedAt)}`
    : `NOT RUNNING: read from ${doc.stateDir} without the service (start it: sudo systemctl start validator)`;
  const stateWidth = Math.max(0, ...doc.readers.map((r) => r.state.length), ...doc.displays.map((d) => d.state.length));
  const table: [string, string][] = [
    ['state', state],
    ['device', `${device.id} · bus ${device.vehicle} · route ${device.route ?? '-'} · stop ${device.stop ?? '-'}`],
    ['software', `${service.softwareVersion}${doc.running ? '' : ' (this CLI)'}`],
    ...doc.readers.map((r): [string, string] => [`reader ${r.id}`, `${r.state.padEnd(stateWidth)}  ${r.detail}`]),
    ...doc.displays.map((d): [string, string] => [
      `display ${d.id}`,
      `${d.state.padEnd(stateWidth)}  ${d.detail}${d.since === null ? '' : `, since ${when(d.since)}`}${d.lastError ? `, last error: ${d.lastError}` : ''}`,
    ]),
    ['gps', gpsLine(doc, when)],
    ['last tap', doc.lastTap ? `#${doc.lastTap.seq} ${when(doc.lastTap.time)} · ${doc.lastTap.result} ${doc.lastTap.reason}` : journal.lastSeq === null ? 'unknown' : 'none'],
    ['journal', journalLine(doc)],
    ['backlog', backlog.taps === null ? 'unknown' : backlog.taps === 0 ? 'none: every tap is synced' : `${plural(backlog.taps, 'tap')} not synced, the oldest ${when(backlog.oldestUnsyncedAt)}`],
    ['last sync', syncLine(doc, when)],
    ['deny list', denyList.problem ?? `version ${denyList.version} · ${denyList.entries === null ? '? cards' : plural(denyList.entries, 'card')} · applied ${denyList.appliedAt === null ? 'unknown' : when(denyList.appliedAt)}`],
    ['fares', fares.problem ?? faresLine(doc, when)],
    ['clock', clockLine(doc)],
    ['disk free', disk.freeBytes === null ? 'unknown' : `${mib(disk.freeBytes)} on ${disk.path} (debits stop below ${mib(disk.minFreeBytes)})`],
    ['state dir', doc.stateDir],
    ['config', doc.config.file ?? 'defaults (no config file)'],
  ];
  return table;
}

function gpsLine(doc: StatusDocument, when: (iso: string | null) => string): string {
  const g = doc.gps;
  if (!g.configured) return 'none (the stop is the config\'s device.stop)';
  if (g.status === null) return `${g.source ?? 'configured'} (unknown while the service is stopped)`;
  const where = g.fix === null ? g.status : `${g.status} ${g.fix.lat.toFixed(7)} ${g.fix.lon.toFixed(7)} at ${when(g.fix.time)}`;
  return `${where} · stop ${g.stop ?? '-'} · ${g.source ?? '?'}`;
}

function journalLine(doc: StatusDocument): string {
  const j = doc.journal;
  if (j.problem !== null) return `UNREADABLE: ${j.problem}`;
  if (j.lastSeq === null) return `none yet (${j.path})`;
  return `${plural(j.records ?? 0, 'record')}, last seq ${j.lastSeq}, ${plural(j.openDebits ?? 0, 'open debit')}, ${mib(j.sizeBytes)}`;
}

function syncLine(doc: StatusDocument, when: (iso: string | null) => string): string {
  const s = doc.sync;
  if (!s.enrolled) return 'not enrolled';
  const who = `${s.backend ?? '?'}${s.enrolledAs === null ? '' : ` as ${s.enrolledAs}`}`;
  if (!doc.running) return `unknown while the service is stopped · ${who}`;
  const failing = s.problem === null ? '' : ` · FAILING: ${s.problem}`;
  return `${when(s.lastSuccessAt)} · ${who}${failing}`;
}

function faresLine(doc: StatusDocument, when: (iso: string | null) => string): string {
  const f = doc.fares;
  const now = f.effectiveFrom === null ? 'none in force' : `version ${f.version} · in force since ${when(f.effectiveFrom)}`;
  return f.next === null ? now : `${now} · next ${f.next.version} ${when(f.next.effectiveFrom)}`;
}

function clockLine(doc: StatusDocument): string {
  const c = doc.clock;
  const against = (name: string, ms: number | null): string => (ms === null ? `${name}: not measured` : `${clockOffset(ms)} ${name}`);
  return `${formatJalaliDateTime(Date.parse(c.now), c.timeZone)} ${c.timeZone} · ${against('backend', c.backendErrorMs)} · ${against('GPS', c.gpsErrorMs)}`;
}

/** "80,693.4 MiB", or KiB below one MiB (a fresh journal is a few dozen KiB). */
function mib(bytes: number): string {
  if (bytes < 1024 * 1024) return `${count.format(Math.round(bytes / 1024))} KiB`;
  return `${count.format(Math.round((bytes / 1024 / 1024) * 10) / 10)} MiB`;
}

/** "1 record", "2 records". */
function plural(n: number, one: string, many = `${one}s`): string {
  return `${count.format(n)} ${n === 1 ? one : many}`;
}
