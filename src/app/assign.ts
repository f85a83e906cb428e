/**
 * `validator assign`: the daily change of bus or route. Only device.vehicle and device.route change in the
 * config file (written durably, its mode and owner kept), and the running daemon takes them at once: the next
 * tap journals them and writes them onto the card.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { callControl } from '../control/control-client.ts';
import { ErrorCode, isValidatorError, ValidatorError } from '../domain/errors.ts';
import { writeFileDurably } from '../fs/durable-file.ts';
import { parseConfig } from '../config/load-config.ts';
import { assignmentAfter, assignmentProblems, type Assignment, type AssignmentChange } from './device-assignment.ts';
import { bundlesInUse, unlistedRouteProblem } from './listed-route.ts';
import { resolvePaths } from './paths.ts';
import { configText, readConfigDocument, withSetting } from './provision/config-document.ts';

export interface AssignOptions {
  readonly configFile: string;
  readonly stateDir?: string | undefined;
  readonly change: AssignmentChange;
  /** Take a route no fare bundle lists (a new route priced by the network-less fares). */
  readonly allowUnlistedRoute: boolean;
}

/** What the running daemon made of it. */
export type DaemonAnswer =
  | { readonly kind: 'applied' }
  | { readonly kind: 'not-running' }
  /** It runs but cannot change its assignment while running: a restart applies the file. */
  | { readonly kind: 'restart-needed'; readonly why: string }
  /** It runs and said no (it reads another config file, say): the file changed, the daemon did not. */
  | { readonly kind: 'refused'; readonly why: string };

export interface AssignReport {
  readonly configFile: string;
  readonly before: Assignment;
  readonly after: Assignment;
  readonly fileChanged: boolean;
  readonly mode: number;
  readonly daemon: DaemonAnswer;
}

/** Changes the assignment; throws BadRequest or InvalidState with the file untouched. */
export async function assign(options: AssignOptions): Promise<AssignReport> {
  const { change, configFile } = options;
  if (change.vehicle === undefined && change.route === undefined) {
    throw new ValidatorError(ErrorCode.BadRequest, 'nothing to assign: give --vehicle V, --route R, or both');
  }
  const paths = resolvePaths({ stateDir: options.stateDir, config: configFile });
  // Absolute, as the daemon names the file it reads (and as paths.configFile is): the report and the request say it so.
  const absoluteFile = resolve(configFile);
  const existing = readConfigDocument(configFile);
  if (existing === null) {
    throw new ValidatorError(ErrorCode.InvalidState, `there is no config file at ${configFile}: provision this validator first (validator provision), or name the file with --config`);
  }
  const config = parseConfig(existing.document, configFile);
  const problems = assignmentProblems(config.device, change);
  if (change.route !== undefined && !options.allowUnlistedRoute && problems.length === 0) {
    const unlisted = unlistedRouteProblem(change.route, bundlesInUse(config, paths));
    if (unlisted !== null) problems.push(`${unlisted}. Check the number; for a new route the bundle does not list yet, add --allow-unlisted-route`);
  }
  if (problems.length > 0) throw new ValidatorError(ErrorCode.BadRequest, `nothing was changed: ${problems.join('; ')}`);

  let document = existing.document;
  if (change.vehicle !== undefined) document = withSetting(document, 'device', 'vehicle', change.vehicle);
  if (change.route !== undefined) document = withSetting(document, 'device', 'route', change.route);
  const text = configText(document);
  const stat = statSync(configFile);
  const mode = stat.mode & 0o777;
  const fileChanged = text !== existing.text;
  if (fileChanged) await writeFileDurably(configFile, text, { mode, owner: { uid: stat.uid, gid: stat.gid } });
  return {
    configFile: absoluteFile,
    before: { vehicle: config.device.vehicle, route: config.device.route },
    after: assignmentAfter(config.device, change),
    fileChanged,
    mode,
    daemon: await tellDaemon(paths.controlSocket, change, absoluteFile),
  };
}

async function tellDaemon(socket: string, change: AssignmentChange, configFile: string): Promise<DaemonAnswer> {
  try {
    await callControl(socket, 'device.assign', { ...change, configFile });
    return { kind: 'applied' };
  } catch (e) {
    if (isValidatorError(e, ErrorCode.ControlUnavailable)) return { kind: 'not-running' };
    if (isValidatorError(e, ErrorCode.NotFound)) return { kind: 'restart-needed', why: 'this validator predates assignments while running' };
    if (isValidatorError(e)) return { kind: 'refused', why: e.message };
    throw e;
  }
}
