import { daemonLogger } from '../app/logging.ts';
import { softwareVersion } from '../app/package-root.ts';
import { resolvePaths } from '../app/paths.ts';
import { startValidator } from '../app/start-validator.ts';
import { systemdSupervisor } from '../app/systemd/systemd-supervisor.ts';
import { loadConfigFile, parseConfig } from '../config/load-config.ts';
import { describeError } from '../domain/errors.ts';

export interface RunOptions {
  readonly stateDir?: string;
  readonly config?: string;
  readonly simulate?: boolean;
  /** Also run the reference sync receiver beside the daemon (npm start). */
  readonly localBackend?: boolean;
  readonly panel: boolean;
}

/** How long SIGTERM may take before the process gives up on a clean stop. */
const STOP_DEADLINE_MS = 5_000;

/** `validator run`: the daemon. Resolves with the exit code once stopped. */
export async function runCommand(options: RunOptions): Promise<number> {
  const paths = resolvePaths(options);
  const config = paths.configFile ? loadConfigFile(paths.configFile) : parseConfig({}, 'the built-in defaults');
  const simulate = options.simulate ?? false;
  const panel = simulate && options.panel && process.stdout.isTTY && process.stdin.isTTY;
  const log = daemonLogger(config.log.level, panel ? paths.panelLog : null);
  const supervisor = systemdSupervisor(process.env, process.pid, log.child('systemd'));

  let exiting = false;
  const die = (e: unknown): void => {
    // Never swallowed: log it, then exit non-zero so systemd restarts us with a clean state.
    if (exiting) return;
    exiting = true;
    log.error('fatal error, exiting', { error: describeError(e), stack: e instanceof Error ? e.stack : undefined });
    supervisor.status(`fatal error, exiting: ${describeError(e)}`);
    process.exitCode = 1;
    if (panel) process.stderr.write(`\x1b[?25h\x1b[?1049lvalidator: fatal: ${describeError(e)} (log: ${paths.panelLog})\n`);
    process.exit(1);
  };
  process.on('uncaughtException', die);
  process.on('unhandledRejection', die);

  const localBackend = options.localBackend ?? false;
  const running = await startValidator({ config, paths, log, simulate, localBackend, panel, softwareVersion: softwareVersion(), onFatal: die, supervisor });

  return new Promise<number>((resolveExit) => {
    const stop = (signal: string): void => {
      if (exiting) return;
      exiting = true;
      log.info(`${signal}: finishing the tap in progress and stopping`);
      const force = setTimeout(() => {
        log.error(`did not stop within ${STOP_DEADLINE_MS} ms; exiting anyway`);
        process.exit(1);
      }, STOP_DEADLINE_MS);
      force.unref();
      running.stop().then(
        () => {
          clearTimeout(force);
          resolveExit(0);
        },
        (e: unknown) => {
          log.error('error while stopping', { error: describeError(e) });
          resolveExit(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    running.onQuitRequested(() => stop('quit key'));
  });
}
