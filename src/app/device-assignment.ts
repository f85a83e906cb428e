/**
 * The bus and route a validator serves today: the one part of the config that changes while the daemon runs
 * (`validator assign`, the daily change of bus or route). Every tap reads them when it starts and journals
 * them, and a debit writes them onto the card, so a change is checked the way the config is at start.
 */
import { idSchema, type Config } from '../config/schema.ts';
import type { ControlHandler } from '../control/dispatch.ts';
import { ErrorCode, ValidatorError } from '../domain/errors.ts';
import type { Logger } from '../log/logger.ts';
import { deviceIdsProblem } from './check-ids-fit.ts';

export interface Assignment {
  readonly vehicle: string;
  readonly route: string | null;
}

/** What to change; a field left out stays. */
export interface AssignmentChange {
  readonly vehicle?: string | undefined;
  readonly route?: string | undefined;
}

/** Every reason `change` cannot apply to `device`; empty when it can. */
export function assignmentProblems(device: Config['device'], change: AssignmentChange): string[] {
  const problems: string[] = [];
  for (const [name, value] of [['vehicle', change.vehicle], ['route', change.route]] as const) {
    if (value === undefined) continue;
    const issue = idSchema.safeParse(value).error?.issues[0];
    if (issue) problems.push(`${name} ${JSON.stringify(value)}: ${idIssue(issue.code, issue.message)}`);
  }
  if (problems.length > 0) return problems;
  const next = assignmentAfter(device, change);
  const fit = deviceIdsProblem({ ...device, ...next });
  if (fit) problems.push(`${fit} (each debit writes them onto the card)`);
  return problems;
}

/** The assignment once `change` is applied. */
export function assignmentAfter(device: Assignment, change: AssignmentChange): Assignment {
  return { vehicle: change.vehicle ?? device.vehicle, route: change.route ?? device.route };
}

/**
 * The daemon's `device.assign`: checks the change and applies it to the config's device section in place,
 * which every tap (and the GPS stop check) reads when it starts; a tap under way keeps what it started with.
 * Refuses a change made to another config file than the one this daemon read.
 */
export function deviceAssignHandler(device: Config['device'], configFile: string | null, log: Logger): ControlHandler {
  return (params) => {
    const { vehicle, route, configFile: changed } = (params ?? {}) as { vehicle?: unknown; route?: unknown; configFile?: unknown };
    if ((vehicle !== undefined && typeof vehicle !== 'string') || (route !== undefined && typeof route !== 'string') || (changed !== undefined && typeof changed !== 'string')) {
      throw new ValidatorError(ErrorCode.BadRequest, 'device.assign takes {"vehicle": "V", "route": "R", "configFile": "/path"} (strings, each optional)');
    }
    if (changed !== undefined && changed !== configFile) {
      throw new ValidatorError(
        ErrorCode.InvalidState,
        `this validator reads ${configFile ?? 'no config file (the built-in defaults)'}, not ${changed}: it keeps bus ${device.vehicle} route ${device.route ?? '-'}`,
      );
    }
    const change = { vehicle, route };
    const problems = assignmentProblems(device, change);
    if (problems.length > 0) throw new ValidatorError(ErrorCode.BadRequest, problems.join('; '));
    const before: Assignment = { vehicle: device.vehicle, route: device.route };
    const after = assignmentAfter(device, change);
    device.vehicle = after.vehicle;
    device.route = after.route;
    log.info(`assigned to bus ${after.vehicle} route ${after.route ?? '-'} (was bus ${before.vehicle} route ${before.route ?? '-'})`);
    return Promise.resolve({ before, after });
  };
}

function idIssue(code: string, message: string): string {
  if (code === 'too_small') return 'must not be empty';
  if (code === 'too_big') return 'at most 32 characters';
  return message;
}
