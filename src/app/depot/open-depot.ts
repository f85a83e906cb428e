import { mkdirSync } from 'node:fs';
import { FileKeyStore } from '../../../device/crypto/key-file.ts';
import { loadConfigFile, parseConfig } from '../../config/load-config.ts';
import { ErrorCode, ValidatorError } from '../../domain/errors.ts';
import { randomIds } from '../../domain/ids.ts';
import { systemClock } from '../../domain/time.ts';
import { createLogger, type Logger } from '../../log/logger.ts';
import { daemonRunning } from '../daemon-running.ts';
import { openStateJournal } from '../open-state-journal.ts';
import { resolvePaths } from '../paths.ts';
import { CardDesk } from './card-desk.ts';
import { PcscStation } from './pcsc-station.ts';

export interface DepotOptions {
  readonly stateDir?: string | undefined;
  readonly configFile?: string | undefined;
  /** The key file; default keys.file from the config. */
  readonly keysFile?: string | undefined;
  readonly readerPattern: string;
  readonly waitMs: number;
}

export interface OpenDepot {
  readonly desk: CardDesk;
  close(): Promise<void>;
}

/**
 * The depot's composition root: config, key file, the state directory's journal and one PC/SC reader.
 * Refuses to run beside a validator daemon on the same state directory: the journal has one writer.
 */
export async function openDepot(options: DepotOptions, prompt: (line: string) => void): Promise<OpenDepot> {
  const paths = resolvePaths({ stateDir: options.stateDir, config: options.configFile });
  const config = paths.configFile ? loadConfigFile(paths.configFile) : parseConfig({}, 'the built-in defaults');
  const keysFile = options.keysFile ?? config.keys.file;
  if (keysFile === null) {
    throw new ValidatorError(ErrorCode.ConfigInvalid, 'no key file: set keys.file in the config, or pass --keys FILE (mode 0600)');
  }
  const keys = FileKeyStore.load(keysFile);
  await refuseBesideDaemon(paths.controlSocket, paths.stateDir);
  const log: Logger = createLogger({ level: config.log.level === 'debug' ? 'debug' : 'warn', format: 'journald', write: (line) => process.stderr.write(`${line}\n`) }, 'depot');
  mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
  const journal = openStateJournal(config, paths.journal, systemClock, log.child('journal'));
  let station: PcscStation;
  try {
    station = new PcscStation({
      readerPattern: options.readerPattern,
      keys,
      clock: systemClock,
      ids: randomIds,
      exchangeTimeoutMs: config.tap.exchangeTimeoutMs,
      log,
    });
  } catch (e) {
    journal.close();
    throw e;
  }
  const desk = new CardDesk({
    station,
    journal,
    clock: systemClock,
    ids: randomIds,
    log,
    device: config.device.id,
    vehicle: config.device.vehicle,
    timeZone: config.network.timeZone,
    waitMs: options.waitMs,
    prompt,
  });
  return {
    desk,
    close: async () => {
      try {
        await station.close();
      } finally {
        journal.close();
      }
    },
  };
}

/** A daemon answering on the state directory's control socket owns its journal and readers. */
async function refuseBesideDaemon(socket: string, stateDir: string): Promise<void> {
  if (!(await daemonRunning(socket))) return;
  throw new ValidatorError(
    ErrorCode.InvalidState,
    `a validator is running on ${stateDir}: it owns the journal and the readers. Stop it first (systemctl stop validator), or give this command another --state-dir`,
  );
}
