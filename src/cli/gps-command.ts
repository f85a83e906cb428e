import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { replayNmea, type ReplayStep } from '../../device/gps/replay-nmea.ts';
import { SerialGpsSource } from '../../device/gps/serial-gps-source.ts';
import { resolvePaths } from '../app/paths.ts';
import { loadConfigFile, parseConfig } from '../config/load-config.ts';
import { ErrorCode, ValidatorError } from '../domain/errors.ts';
import { systemClock } from '../domain/time.ts';
import { loadFareBundleDir } from '../fares/read-bundle-dir.ts';
import { requireBundle } from '../fares/load-fare-bundle.ts';
import { createLogger } from '../log/logger.ts';
import type { PositionReading } from '../ports/position-source.ts';
import { CurrentStop } from '../stops/current-stop.ts';
import type { StopIndex } from '../stops/stop-index.ts';

/** Where the gps commands write; tests pass their own. */
export interface GpsCommandIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const processIo: GpsCommandIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

interface MonitorOptions {
  readonly port?: string;
  readonly baud?: number;
  readonly fares?: string;
  readonly config?: string;
  readonly seconds?: number;
  readonly json?: boolean;
}

/** Adds `gps replay FILE [--json]` and `gps monitor [--port P]` to the program. */
export function registerGpsCommands(program: Command, io: GpsCommandIo = processIo): void {
  const gps = program.command('gps').description('the GPS receiver: replay a recording, watch the live fix and stop');

  gps
    .command('replay')
    .description('print the fix after each sentence of an NMEA recording, as the validator reads it')
    .argument('<file>', 'NMEA 0183 log (lines starting with # are skipped)')
    .option('--json', 'one JSON object a sentence')
    .action((file: string, options: { json?: boolean }) => {
      const text = readRecording(file);
      let accepted = 0;
      const rejected = new Map<string, number>();
      for (const step of replayNmea(text)) {
        if (step.result.kind === 'accepted') accepted++;
        else rejected.set(step.result.reason, (rejected.get(step.result.reason) ?? 0) + 1);
        io.out(options.json ? `${JSON.stringify(replayJson(step))}\n` : `${replayLine(step)}\n`);
      }
      const reasons = [...rejected].map(([reason, n]) => `${n} ${reason}`).join(', ');
      io.err(`${accepted} sentences accepted, ${[...rejected.values()].reduce((a, b) => a + b, 0)} rejected${reasons ? ` (${reasons})` : ''}\n`);
    });

  gps
    .command('monitor')
    .description('watch the receiver: fix, stop, clock error (the daemon holds the port while it runs: stop it first)')
    .option('--port <path>', 'serial device (default: the config\'s gps.port)')
    .option('--baud <rate>', 'baud rate (default: the config\'s gps.baudRate)', positive)
    .option('--fares <dir>', 'fare bundle whose stops to match (default: the config\'s fares.bundle)')
    .option('--config <file>', 'config file (default: $VALIDATOR_CONFIG or /etc/validator/config.json)')
    .option('--seconds <n>', 'stop after this long (default: until Ctrl-C)', positive)
    .option('--json', 'one JSON object a change')
    .action(async (options: MonitorOptions) => {
      await monitor({ ...program.opts<{ stateDir?: string }>(), ...options }, io);
    });
}

async function monitor(options: MonitorOptions & { stateDir?: string }, io: GpsCommandIo): Promise<void> {
  const paths = resolvePaths({ stateDir: options.stateDir, config: options.config });
  const config = paths.configFile ? loadConfigFile(paths.configFile) : parseConfig({}, 'the built-in defaults');
  const port = options.port ?? config.gps.port;
  if (port === null) throw new ValidatorError(ErrorCode.BadRequest, 'no GPS port: pass --port /dev/serial/by-id/… or set gps.port in the config');
  const faresDir = options.fares ?? config.fares.bundle;
  const stops: StopIndex | null = faresDir === null ? null : requireBundle(loadFareBundleDir(faresDir), faresDir).stops;
  if (stops === null) io.err('no fare bundle (--fares DIR): stops are not matched\n');
  const log = createLogger({ level: 'warn', format: 'journald', write: (line) => io.err(`${line}\n`) }, 'gps');
  const source = new SerialGpsSource({
    path: port,
    baudRate: options.baud ?? config.gps.baudRate,
    staleAfterMs: config.gps.staleAfterSeconds * 1000,
    reconnectMs: config.gps.reconnectSeconds * 1000,
    clock: systemClock,
    log,
  });
  const current = new CurrentStop(source, () => stops, { radiusMeters: config.gps.stopRadiusMeters, hysteresisMeters: config.gps.stopHysteresisMeters });
  current.start();
  const subscription = source.readings$.subscribe(() => {
    const where = current.now();
    io.out(options.json ? `${JSON.stringify({ ...where.reading, stop: where.stop })}\n` : `${monitorLine(where.reading, where.stop)}\n`);
  });
  let done = (): void => undefined;
  await new Promise<void>((resolve) => {
    done = resolve;
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (options.seconds !== undefined) setTimeout(done, options.seconds * 1000).unref();
  });
  process.off('SIGINT', done);
  process.off('SIGTERM', done);
  subscription.unsubscribe();
  await current.close();
}

function readRecording(file: string): string {
  try {
    // latin1: a receiver's garbage bytes stay one character each and never fail to decode.
    return readFileSync(file, 'latin1');
  } catch (e) {
    throw new ValidatorError(ErrorCode.NotFound, `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { cause: e });
  }
}

function replayJson(step: ReplayStep): Record<string, unknown> {
  const { fix, result } = step;
  return {
    line: step.line,
    sentence: step.sentence,
    ...(result.kind === 'accepted' ? { type: result.type } : { rejected: result.reason }),
    time: fix.time === null ? null : new Date(fix.time).toISOString(),
    lat: fix.position?.lat ?? null,
    lon: fix.position?.lon ?? null,
    speedMps: fix.speedMps,
    trackDeg: fix.trackDeg,
  };
}

function replayLine(step: ReplayStep): string {
  const { fix, result } = step;
  const what = result.kind === 'accepted' ? result.type : `rejected: ${result.reason}`;
  const time = fix.time === null ? 'no time' : new Date(fix.time).toISOString();
  const where = fix.position === null ? 'no fix' : `${fix.position.lat.toFixed(7)} ${fix.position.lon.toFixed(7)}`;
  const speed = fix.speedMps === null ? '' : ` ${fix.speedMps.toFixed(2)} m/s`;
  return `${String(step.line).padStart(5)} ${what.padEnd(22)} ${time.padEnd(24)} ${where}${speed}`;
}

function monitorLine(r: PositionReading, stop: string | null): string {
  const fix = r.fix;
  const where = fix === null ? '' : ` ${new Date(fix.time).toISOString()} ${fix.lat.toFixed(7)} ${fix.lon.toFixed(7)} ${(fix.speedMps ?? 0).toFixed(1)} m/s`;
  const clock = r.clockErrorMs === null ? '' : ` clock ${r.clockErrorMs >= 0 ? '+' : ''}${(r.clockErrorMs / 1000).toFixed(1)} s`;
  return `${r.status.padEnd(11)}${where} stop ${stop ?? '-'}${clock}`;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('a number > 0 is expected');
  return n;
}
