import { randomIds } from '../domain/ids.ts';
import { systemClock } from '../domain/time.ts';
import type { Config } from '../config/schema.ts';
import { DenyListStore } from '../deny-list/deny-list-store.ts';
import { SwappableFarePolicy } from '../fares/swappable-fare-policy.ts';
import type { Logger } from '../log/logger.ts';
import { TerminalPanel } from './panel/terminal-panel.ts';
import { panelState } from './panel/panel-state.ts';
import { fareBundleDirs } from './fare-bundle-dirs.ts';
import { fareSchedule } from './fare-schedule.ts';
import type { Paths } from './paths.ts';
import { openStateJournal } from './open-state-journal.ts';
import { createPcscHardware } from './pcsc-hardware.ts';
import { createSimulation, type Simulation } from './simulation/create-simulation.ts';
import { createGps } from './start-gps.ts';
import type { CurrentStop } from '../stops/current-stop.ts';
import type { SyncClient } from '../../sync/client/sync-client.ts';
import { createSyncClient, deviceKeyFile, enrollmentFile } from './start-sync.ts';
import { startLocalBackend, type LocalBackend } from './simulation/local-backend.ts';
import { heartbeatFrom } from './sync-status.ts';
import { unsyncedTaps } from './list-facts.ts';
import { Supervision } from './supervision.ts';
import { unsupervised, type ServiceSupervisor } from '../ports/service-supervisor.ts';
import { ValidatorApp } from './validator-app.ts';

export interface StartOptions {
  readonly config: Config;
  readonly paths: Paths;
  readonly log: Logger;
  /** Every device simulated (npm start); otherwise the PC/SC readers of the config. */
  readonly simulate: boolean;
  /** Also run the reference sync receiver as a child process and sync with it, enrolling on first start (npm start). */
  readonly localBackend?: boolean;
  /** Draw the live panel on this terminal and take single keys (simulation only). */
  readonly panel: boolean;
  readonly softwareVersion: string;
  readonly onFatal: (e: unknown) => void;
  /** The service manager (systemd) to tell READY, STATUS, WATCHDOG and STOPPING; default none. */
  readonly supervisor?: ServiceSupervisor;
}

export interface RunningValidator {
  readonly app: ValidatorApp;
  stop(): Promise<void>;
  /** The panel's quit key. */
  onQuitRequested(listener: () => void): void;
}

/** The composition root: the one place that builds adapters and hands them to the application. */
export async function startValidator(options: StartOptions): Promise<RunningValidator> {
  const { config, paths, log } = options;
  const clock = systemClock;
  const simulation = options.simulate ? createSimulation({ config, paths, clock, log: log.child('sim') }) : null;
  const hardware = simulation ? simulation.hardware : createPcscHardware({ config, configFile: paths.configFile, clock, log });
  // The hardware holds serial ports and timers: close it when the journal cannot open (another daemon
  // holds it), or the process would not exit.
  let journal: ReturnType<typeof openStateJournal>;
  try {
    journal = openStateJournal(config, paths.journal, clock, log.child('journal'));
  } catch (e) {
    await hardware.close();
    throw e;
  }
  let app: ValidatorApp;
  let gps: CurrentStop | null = null;
  let sync: SyncClient | null = null;
  let backend: LocalBackend | null = null;
  try {
    const denyList = DenyListStore.open({ stateDir: paths.stateDir, clock, log: log.child('deny-list') });
    const bundleDirs = fareBundleDirs(config, paths, options.simulate);
    const fares = new SwappableFarePolicy(fareSchedule(bundleDirs, config, clock));
    log.info('fares loaded', { bundles: bundleDirs, inForce: fares.version });
    gps = createGps({ config, simulate: options.simulate, fares, clock, log });
    // The heartbeat reads the app's status; the app exists by the time the first round runs (after start).
    let started: ValidatorApp | null = null;
    if (options.localBackend) {
      backend = await startLocalBackend({
        stateDir: paths.stateDir,
        deviceId: config.device.id,
        keyFile: deviceKeyFile(config, paths),
        enrollmentFile: enrollmentFile(paths),
        log: log.child('sync'),
      });
    }
    sync = createSyncClient({
      backendUrl: backend?.url ?? null,
      config,
      paths,
      journal,
      denyList,
      fares,
      heartbeat: () => {
        if (!started) throw new Error('heartbeat before the validator started');
        return heartbeatFrom(started.status());
      },
      log,
    });
    app = await ValidatorApp.start({
      config,
      paths,
      journal,
      denyList,
      fares,
      hardware,
      simulator: simulation ? simulation.simulator : null,
      gps,
      clock,
      ids: randomIds,
      log,
      softwareVersion: options.softwareVersion,
      sync,
      onFatal: options.onFatal,
    });
    started = app;
    sync?.start();
  } catch (e) {
    journal.close();
    await hardware.close();
    await gps?.close();
    await backend?.stop();
    throw e;
  }

  // Without a service manager there is no one to tell: no READY, STATUS or WATCHDOG timers at all.
  const supervisor = options.supervisor ?? unsupervised;
  const supervision =
    supervisor === unsupervised
      ? null
      : new Supervision({
          supervisor,
          tapLoop: app.tapLoop,
          readers: hardware.readers,
          // Polled every 5 s: the sync position only, not stats() (a count, a statfs, file sizes), whose free
          // space problems() already checks.
          state: () => ({ problems: app.problems(null), backlog: unsyncedTaps(journal.syncPosition()) }),
          log: log.child('systemd'),
        });
  supervision?.start();

  const quitListeners: (() => void)[] = [];
  const stopPanel = options.panel && simulation ? attachPanel(app, simulation, options, () => quitListeners.forEach((l) => l())) : null;
  if (!stopPanel) announce(app, paths, log);

  return {
    app,
    onQuitRequested: (listener) => quitListeners.push(listener),
    stop: async () => {
      supervision?.stopping();
      stopPanel?.();
      await sync?.stop();
      await app.stop();
      await backend?.stop();
    },
  };
}

/** Without a terminal: say where the data lives and how to tap, in the log. */
function announce(app: ValidatorApp, paths: Paths, log: Logger): void {
  if (!app.simulator) {
    log.info(`data in ${paths.stateDir}; present a Qom Card to a reader`);
    return;
  }
  const profiles = app.simulator?.profiles.map((p) => p.name).join(', ') ?? '';
  log.info(`data in ${paths.stateDir}; present a simulated card from another shell: npx validator tap <profile> (${profiles})`);
}

function attachPanel(
  app: ValidatorApp,
  simulation: Simulation,
  options: StartOptions,
  quit: () => void,
): () => void {
  const simulator = app.simulator;
  let note = `data in ${options.paths.stateDir} · logs in ${options.paths.panelLog}`;
  const redraw = (): void => panel.update(panelState(app, simulation, options.paths, note));
  const panel = new TerminalPanel(process.stdout, process.stdin, (key) => {
    if (key === 'q') return quit();
    const handled = simulation.onKey(key);
    if (handled) {
      note = handled;
      redraw();
      return;
    }
    const profile = simulator?.profiles.find((p) => p.key === key);
    if (!profile || !simulator) return;
    note = `presenting a ${profile.name} card…`;
    redraw();
    simulator.tap(profile.name, simulation.activeDoor()).then(
      (outcomes) => {
        note = `${profile.name}: ${outcomes.map((o) => o.screen.english).join(' → ')}`;
        redraw();
      },
      (e: unknown) => {
        note = `${profile.name}: ${e instanceof Error ? e.message : String(e)}`;
        redraw();
      },
    );
  });
  panel.start();
  const ticker = setInterval(redraw, 500);
  const subscription = app.pipeline.outcomes$.subscribe(redraw);
  redraw();
  return () => {
    clearInterval(ticker);
    subscription.unsubscribe();
    panel.stop();
  };
}
