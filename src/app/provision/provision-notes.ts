/** What a technician should still see to after provisioning: defaults in force, ports not there, card keys, fares. */
import { existsSync } from 'node:fs';
import type { Config } from '../../config/schema.ts';
import type { Enrollment } from '../../../sync/client/enrollment.ts';
import { bundlesInUse, unlistedRouteProblem } from '../listed-route.ts';
import type { Paths } from '../paths.ts';
import type { ConfigDocument } from './config-document.ts';
import type { FetchedLists } from './fetch-lists.ts';
import type { ProvisionInput } from './provision-input.ts';

/** One line each, with what to do. */
export function provisionNotes(config: Config, written: ConfigDocument, paths: Paths, input: ProvisionInput, enrollment: Enrollment, lists: FetchedLists): string[] {
  const out: string[] = [];
  if (enrollment.deviceId !== config.device.id) out.push(`the backend enrolled this device as ${enrollment.deviceId}, not ${config.device.id}: it files the taps under ${enrollment.deviceId}`);
  const device = (written['device'] ?? {}) as Record<string, unknown>;
  if (device['vehicle'] === undefined) out.push(`device.vehicle is the default ${config.device.vehicle}: set the bus with validator assign --vehicle V`);
  if (device['route'] === undefined) out.push(`device.route is the default ${config.device.route ?? 'none'}: set it with validator assign --route R`);
  if (config.readers.some((r) => r.name.startsWith('Virtual PCD'))) out.push('the readers are the simulator\'s (Virtual PCD): give --reader PATTERN for each door');
  if (config.keys.file === null) out.push('keys.file is not set: install the card master keys (docs/card-layout.md) and set it before the validator reads real cards');
  for (const port of [...input.displays, ...(input.gps === null ? [] : [input.gps])]) {
    if (!existsSync(port)) out.push(`${port} is not there now: the validator opens it when it appears (check the cable, or the udev rule that names it)`);
  }
  const route = config.device.route;
  const unlisted = route === null ? null : unlistedRouteProblem(route, bundlesInUse(config, paths));
  if (unlisted !== null) out.push(`${unlisted}; check the route (validator assign --route R)`);
  if (config.fares.bundle !== null) out.push(`fares.bundle is set (${config.fares.bundle}): the validator prices with it, not with the backend's bundles`);
  else if (lists.fares.none) out.push('no fare bundle on the device yet: the validator will not start on real readers until one comes from the backend (or fares.bundle names one)');
  return out;
}
