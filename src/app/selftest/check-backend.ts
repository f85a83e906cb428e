/**
 * The backend answers and accepts this device's signed request: a signed GET of the deny list since the version
 * held. 304 (or 200 with a newer list, left for the daemon to take) proves the signature, the enrollment and the
 * network; the answer's time says how far the system clock is off. Then the clock itself, against the backend and GPS.
 */
import { readPrivateKeyFile } from '../../../sync/contract/keys.ts';
import { MAX_CLOCK_SKEW_MS } from '../../../sync/contract/signing.ts';
import { paths as wirePaths } from '../../../sync/contract/wire.ts';
import { replyError, type TransportReply } from '../../../sync/client/transport.ts';
import { backendUnreachable, type RequestTimeout } from '../../../sync/client/unreachable.ts';
import { describeError } from '../../domain/errors.ts';
import { CLOCK_TOLERANCE_MS, clockOffset } from '../diagnosis/judge-status.ts';
import { readDenyListFacts } from '../diagnosis/state-on-disk.ts';
import { NO_LIST_VERSION } from '../../deny-list/load-deny-list.ts';
import { configTimeout, deviceKeyFile, syncTransport, type SyncWiring } from '../start-sync.ts';
import { fail, pass, skip, type Check, type CheckResult, type SelftestContext } from './check.ts';

const NAME = 'backend';
/** The HTTP Date header counts whole seconds: a measurement from it is good to about a second. */
const DATE_HEADER_RESOLUTION_MS = 1000;

export const checkBackend: Check = async (ctx) => [await probeBackend(ctx)];

async function probeBackend(ctx: SelftestContext): Promise<CheckResult> {
  const enrollment = ctx.enrollment;
  if (enrollment === null) {
    // The enrollment line says it (a FAIL on real hardware): one cause, one FAIL.
    return skip(NAME, 'not enrolled: no backend to check (see enrollment)');
  }
  let privateKey;
  try {
    privateKey = readPrivateKeyFile(deviceKeyFile(ctx.config, ctx.paths)).privateKey;
  } catch (e) {
    return skip(NAME, `no usable device key to sign with (see device key): ${describeError(e)}`);
  }
  const version = ctx.daemon?.denyList.version ?? ctx.found.denyListVersion ?? listVersionOnDisk(ctx);
  const timeout = requestTimeout(ctx);
  let wiring: SyncWiring;
  try {
    // npm start's receiver gets a new port at each start: a running daemon's URL is the one in use.
    wiring = syncTransport(ctx.config, ctx.paths, enrollment, privateKey, { url: ctx.daemon?.syncState?.backend ?? null, timeout });
  } catch (e) {
    return fail(NAME, describeError(e), 'set sync.backendUrl in the config, or enroll again with the backend\'s https:// URL');
  }
  const { transport, backendUrl: url } = wiring;
  const sentAt = Date.now();
  let reply: TransportReply;
  try {
    reply = await transport.request('GET', wirePaths.denylist(enrollment.deviceId, version), null);
  } catch (e) {
    return fail(NAME, describeError(backendUnreachable(e, url, timeout)), 'check this device\'s network (ip addr; ping the backend\'s host) and the URL; taps wait in the journal meanwhile');
  }
  ctx.measured.backendClockErrorMs = transport.clockErrorMs ?? clockErrorFromDate(reply, sentAt, Date.now());
  const as = `as ${enrollment.deviceId}`;
  switch (reply.status) {
    case 304:
      return pass(NAME, `${url} accepts this device's signed request ${as}; deny list ${version} is current`);
    case 200:
      return pass(NAME, `${url} accepts this device's signed request ${as}; a newer deny list is waiting (${reply.body.length} bytes): the service takes it at its next round (validator sync now)`);
    case 401:
      return fail(NAME, `${url} refuses this device's signature: ${said(reply)}`, 'if it names the clock, set the clock (see clock); else this key is not the enrolled one: enroll again (validator enroll)');
    case 403:
      return fail(NAME, `${url} refuses device ${enrollment.deviceId}: ${said(reply)}`, 'enroll again with a new code (validator enroll), with the device id the backend expects');
    default:
      return fail(NAME, `${url} answered HTTP ${reply.status}: ${said(reply)}`, 'check that the URL is the sync backend\'s (contract v1), and ask its operators');
  }
}

/** The shorter of selftest's --timeout and the config's sync.requestTimeoutSeconds, named for a timeout's message. */
function requestTimeout(ctx: SelftestContext): RequestTimeout {
  const flag = ctx.timeoutMs;
  const config = configTimeout(ctx.config, ctx.paths);
  if (flag === config.ms) return { ms: flag, setting: `--timeout and ${config.setting ?? 'the config'}` };
  return flag < config.ms ? { ms: flag, setting: '--timeout' } : config;
}

/** Read here only when the deny-list check has not run first (it has, in validator selftest). */
function listVersionOnDisk(ctx: SelftestContext): string {
  const read = readDenyListFacts(ctx.paths.stateDir);
  return read.ok ? read.value.version : NO_LIST_VERSION;
}

/** Backend time minus ours, from the reply's Date header against the middle of the exchange; null without one. */
function clockErrorFromDate(reply: TransportReply, sentAt: number, receivedAt: number): number | null {
  const date = reply.header('date');
  const server = date === undefined ? Number.NaN : Date.parse(date);
  if (!Number.isFinite(server)) return null;
  return server + DATE_HEADER_RESOLUTION_MS / 2 - (sentAt + receivedAt) / 2;
}

function said(reply: TransportReply): string {
  return replyError(reply) ?? '(no body)';
}

/** The system clock against the backend (measured just before) and GPS. */
export const checkClock: Check = (ctx) => {
  const { backendClockErrorMs: backend, gpsClockErrorMs: gps } = ctx.measured;
  const now = new Date().toISOString();
  const measured: string[] = [];
  if (backend !== null) measured.push(`${clockOffset(backend)} the backend (±1 s)`);
  if (gps !== null) measured.push(`${clockOffset(gps)} GPS`);
  if (measured.length === 0) return [skip('clock', `${now}: nothing to compare it with (no backend answer, no GPS time)`)];
  const worst = Math.max(...[backend, gps].filter((x): x is number => x !== null).map(Math.abs));
  if (worst > CLOCK_TOLERANCE_MS) {
    const refused = backend !== null && Math.abs(backend) > MAX_CLOCK_SKEW_MS ? '; the backend refuses signatures this far off until the client corrects for it' : '';
    return [
      fail(
        'clock',
        `${now}: ${measured.join(', ')}: more than ${CLOCK_TOLERANCE_MS / 1000} s off, tap times and expiry days are wrong${refused}`,
        'timedatectl status; turn on NTP (sudo timedatectl set-ntp true) and check it reaches a time server, or set it: sudo timedatectl set-time "YYYY-MM-DD HH:MM:SS"',
      ),
    ];
  }
  return [pass('clock', `${now}: ${measured.join(', ')}`)];
};
