import { unsyncedTaps } from '../list-facts.ts';
import type { Paths } from '../paths.ts';
import { gpsSummary } from '../start-gps.ts';
import type { Simulation } from '../simulation/create-simulation.ts';
import type { ValidatorApp } from '../validator-app.ts';
import type { PanelState } from './render-panel.ts';

/** The panel's content, read from the running application and the simulated devices. */
export function panelState(app: ValidatorApp, simulation: Simulation, paths: Paths, note: string): PanelState {
  const status = app.status();
  const keys = [
    ...(app.simulator?.profiles ?? []).map((p) => ({ key: p.key, label: p.name })),
    ...simulation.keys,
    { key: 'q', label: 'quit' },
  ];
  return {
    heading: `Qom Card validator · ${status.mode} · device ${status.device.id} · bus ${status.device.vehicle} · route ${status.device.route ?? '-'} · ${status.problems.length === 0 ? 'in service' : 'OUT OF SERVICE'}`,
    dataDir: paths.stateDir,
    journal: `${status.journal.records} taps, last seq ${status.journal.lastSeq}, ${status.journal.openIntents} interrupted debit(s) open`,
    sync: `${status.sync} (${unsyncedTaps(status.journal)} waiting)`,
    gps: gpsSummary(status.gps),
    doors: status.readers.map((r) => ({ id: r.id, reader: r.state, screen: simulation.screenOf(r.id) })),
    recent: app.recent,
    keys,
    footer: `presenting at the ${simulation.activeDoor()} door · ${note}`,
  };
}
