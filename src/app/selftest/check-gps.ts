/** The GPS receiver yields NMEA, and a fix when it has the sky: the running daemon's reading, or the port opened here. */
import { setTimeout as delay } from 'node:timers/promises';
import { SerialGpsSource } from '../../../device/gps/serial-gps-source.ts';
import { systemClock } from '../../domain/time.ts';
import type { Logger } from '../../log/logger.ts';
import { silentLogger } from '../../log/logger.ts';
import { fail, FROM_DAEMON, pass, skip, type Check, type CheckResult, type SelftestContext } from './check.ts';

const NAME = 'gps';
const POLL_MS = 100;
const FIX_CABLE = 'check the receiver\'s USB cable; ls -l /dev/serial/by-id/ (the port must match gps.port); the validator\'s user needs the dialout group';

export const checkGps: Check = async (ctx) => {
  const daemonGps = ctx.daemon?.gps ?? null;
  if (ctx.daemon !== null) {
    if (daemonGps === null) return [skip(NAME, 'no GPS: the stop is the config\'s device.stop')];
    ctx.measured.gpsClockErrorMs = daemonGps.clockErrorMs;
    return [fromDaemon(daemonGps.status, daemonGps.source, daemonGps.fix)];
  }
  const port = ctx.config.gps.port;
  if (port === null) {
    if (ctx.mode === 'simulation' && ctx.config.gps.simulate !== 'off') return [skip(NAME, 'simulated: the simulated bus drives in the running service')];
    return [skip(NAME, 'no gps.port in the config: the stop is device.stop')];
  }
  return [await probe(ctx, port)];
};

function fromDaemon(status: string, source: string, fix: { lat: number; lon: number; time: string } | null): CheckResult {
  const from = ` (${FROM_DAEMON})`;
  switch (status) {
    case 'fix':
      return pass(NAME, `fix ${fix?.lat.toFixed(6)} ${fix?.lon.toFixed(6)} at ${fix?.time} from ${source}${from}`);
    case 'no-fix':
      return pass(NAME, `${source} sends NMEA, no fix yet: normal indoors${from}`);
    case 'stale':
      return fail(NAME, `${source}: no fresh fix for longer than gps.staleAfterSeconds${from}`, 'outside with a clear sky it should have one: check the antenna and its cable');
    default:
      return fail(NAME, `${source} is not there (${status})${from}`, FIX_CABLE);
  }
}

/** Opens the port with the daemon's reader, and waits for a fix, or at least NMEA, within the timeout. */
async function probe(ctx: SelftestContext, port: string): Promise<CheckResult> {
  const { gps } = ctx.config;
  let openError: string | null = null;
  // The source says why a port did not open only in its debug log.
  const log: Logger = {
    ...silentLogger,
    debug: (_m, fields) => {
      if (typeof fields?.['error'] === 'string') openError = fields['error'];
    },
    child: () => log,
  };
  const source = new SerialGpsSource({ path: port, baudRate: gps.baudRate, staleAfterMs: gps.staleAfterSeconds * 1000, reconnectMs: gps.reconnectSeconds * 1000, clock: systemClock, log });
  const seen = { opened: false, accepted: 0, rejected: 0 };
  const readings = source.readings$.subscribe((r) => (seen.opened ||= r.status !== 'no-receiver'));
  const sentences = source.sentences$.subscribe((e) => (e.result.kind === 'accepted' ? seen.accepted++ : seen.rejected++));
  const started = Date.now();
  try {
    while (Date.now() - started < ctx.timeoutMs && source.current().status !== 'fix') await delay(POLL_MS);
    const reading = source.current();
    ctx.measured.gpsClockErrorMs = reading.clockErrorMs;
    const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
    const baud = `${port} at ${gps.baudRate} baud`;
    if (reading.fix !== null) return pass(NAME, `fix ${reading.fix.lat.toFixed(6)} ${reading.fix.lon.toFixed(6)} from ${baud} within ${took}`);
    if (seen.accepted > 0) return pass(NAME, `${baud}: ${seen.accepted} NMEA sentences in ${took}, no fix yet (normal indoors)`);
    if (seen.opened) {
      return fail(
        NAME,
        `${baud} opens, but no NMEA sentence came in ${took}${seen.rejected > 0 ? ` (${seen.rejected} lines that are not NMEA)` : ''}`,
        'check gps.baudRate against the receiver\'s rate (most ship at 9600) and that this port is the receiver\'s',
      );
    }
    return fail(NAME, `${port} does not open: ${openError ?? 'no such device'}`, FIX_CABLE);
  } finally {
    readings.unsubscribe();
    sentences.unsubscribe();
    await source.close();
  }
}
