import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { controlSocketPath } from '../control/socket-path.ts';
import { PACKAGE_ROOT } from './package-root.ts';

/** Where the validator keeps its files. */
export interface Paths {
  readonly stateDir: string;
  readonly journal: string;
  readonly denyList: string;
  /** The fare bundle the backend delivers (GTFS-Fares v2 directory). */
  readonly fareBundle: string;
  readonly controlSocket: string;
  /** The simulated cards' memory (simulation only). */
  readonly simCards: string;
  /** The log file while the terminal panel owns the screen. */
  readonly panelLog: string;
  /** The config file in use, or null for the schema's defaults. */
  readonly configFile: string | null;
}

export interface PathOverrides {
  readonly stateDir?: string | undefined;
  readonly config?: string | undefined;
}

/** The systemd directories (StateDirectory, ConfigurationDirectory). */
export const SYSTEM_STATE_DIR = '/var/lib/validator';
export const SYSTEM_CONFIG_FILE = '/etc/validator/config.json';

/** A checkout's own data folder: `npm start` keeps its data here, and the CLI finds it from the checkout. */
export const CHECKOUT_DATA_DIR = join(PACKAGE_ROOT, '.data');

/**
 * State directory: --state-dir, else $VALIDATOR_STATE_DIR, else systemd's $STATE_DIRECTORY, else the
 * checkout's .data folder when it exists (development), else /var/lib/validator.
 * Config file: --config, else $VALIDATOR_CONFIG, else /etc/validator/config.json when it exists, else none.
 */
export function resolvePaths(overrides: PathOverrides, env: NodeJS.ProcessEnv = process.env): Paths {
  const stateDir = resolve(
    overrides.stateDir ??
      env.VALIDATOR_STATE_DIR ??
      env.STATE_DIRECTORY?.split(':')[0] ??
      (existsSync(CHECKOUT_DATA_DIR) ? CHECKOUT_DATA_DIR : SYSTEM_STATE_DIR),
  );
  const config = overrides.config ?? env.VALIDATOR_CONFIG ?? (existsSync(SYSTEM_CONFIG_FILE) ? SYSTEM_CONFIG_FILE : null);
  return {
    stateDir,
    journal: join(stateDir, 'journal.db'),
    denyList: join(stateDir, 'denylist.json'),
    fareBundle: join(stateDir, 'fares'),
    controlSocket: controlSocketPath(stateDir),
    simCards: join(stateDir, 'sim-cards'),
    panelLog: join(stateDir, 'validator.log'),
    configFile: config === null ? null : resolve(config),
  };
}
