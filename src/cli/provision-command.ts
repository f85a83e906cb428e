/** `validator provision` (a validator made ready at the depot) and `validator assign` (the daily bus or route). */
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { assign, type AssignReport } from '../app/assign.ts';
import { resolvePaths, SYSTEM_CONFIG_FILE } from '../app/paths.ts';
import type { FileReport } from '../app/provision/provision-files.ts';
import { provision, type ProvisionReport } from '../app/provision/provision.ts';
import { DEFAULT_ENROLL_TIMEOUT_SECONDS, provisionInput } from '../app/provision/provision-input.ts';
import type { ListState } from '../app/provision/fetch-lists.ts';
import { serviceOwnership } from '../app/provision/service-account.ts';
import { progress } from './progress.ts';

interface Common {
  readonly stateDir?: string;
}

interface ProvisionOptions {
  readonly deviceId: string;
  readonly backend: string;
  readonly code?: string;
  readonly vehicle?: string;
  readonly route?: string;
  readonly reader?: string[];
  readonly display?: string[];
  readonly gps?: string;
  readonly force?: boolean;
  readonly config?: string;
  readonly timeout: number;
  readonly json?: boolean;
}

interface AssignFlags {
  readonly vehicle?: string;
  readonly route?: string;
  readonly config?: string;
  readonly allowUnlistedRoute?: boolean;
}

/** A flag given once per door. */
const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('seconds, more than 0');
  return n;
}

/** Adds `validator provision` and `validator assign`. */
export function registerProvisionCommands(program: Command): void {
  const common = (): Common => program.opts<Common>();

  program
    .command('provision')
    .description('make this validator ready: device key, enrollment with the backend, config, first deny list and fares (safe to run again)')
    .requiredOption('--device-id <id>', 'this device\'s id (device.id; 1 to 32 letters, digits, ".", "_", "-")')
    .requiredOption('--backend <url>', 'the sync backend, https://host[:port] (http:// only to loopback)')
    .option('--code <code>', 'the one-time enrollment code from the backend; not needed when already enrolled with this id and backend')
    .option('--vehicle <id>', 'the bus (device.vehicle)')
    .option('--route <id>', 'the route it runs (device.route)')
    .option('--reader <pattern>', 'a door\'s PC/SC reader: part of its name, or a /regex/; once per door, front door first', collect)
    .option('--display <port>', 'a door\'s passenger display serial port, e.g. /dev/ttyUSB0; once per door, in --reader order', collect)
    .option('--gps <port>', 'the GPS receiver\'s serial port, e.g. /dev/serial/by-id/usb-…')
    .option('--force', 'enroll anew (a new device key; needs a new --code) even when already enrolled')
    .option('--config <file>', `the config file to write (default: $VALIDATOR_CONFIG, else ${SYSTEM_CONFIG_FILE})`)
    .option('--timeout <seconds>', 'how long to wait for the backend\'s answer to the enrollment', seconds, DEFAULT_ENROLL_TIMEOUT_SECONDS)
    .option('--json', 'print the report as JSON')
    .action(async (options: ProvisionOptions) => {
      process.exitCode = await provisionCommand({ ...common(), ...options });
    });

  program
    .command('assign')
    .description('the daily change of bus or route: changes device.vehicle / device.route in the config and in the running validator')
    .option('--vehicle <id>', 'the bus')
    .option('--route <id>', 'the route')
    .option('--allow-unlisted-route', 'take a route no fare bundle lists (it pays only the fares that name no network)')
    .option('--config <file>', `the config file (default: $VALIDATOR_CONFIG, else ${SYSTEM_CONFIG_FILE})`)
    .action(async (options: AssignFlags) => {
      process.exitCode = await assignCommand({ ...common(), ...options });
    });
}

/** The config file these commands write: --config, else $VALIDATOR_CONFIG, else the system's (made when missing). */
export function configTarget(config: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(config ?? env.VALIDATOR_CONFIG ?? SYSTEM_CONFIG_FILE);
}

/** Provisions and prints the report; exit 1 when a list could not be fetched (the rest is done). */
export async function provisionCommand(options: Common & ProvisionOptions): Promise<number> {
  const input = provisionInput(options);
  const report = await provision({
    input,
    stateDir: resolvePaths({ stateDir: options.stateDir }).stateDir,
    configFile: configTarget(options.config),
    ownership: serviceOwnership(),
    onDownload: (what) => {
      const shown = progress(what);
      return { progress: (received, total) => shown.update(received, total), done: (message) => shown.done(message) };
    },
  });
  const complete = report.lists.denyList.problem === null && report.lists.fares.problem === null;
  process.stdout.write(options.json ? JSON.stringify(report, null, 2) + '\n' : provisionSummary(report));
  return complete ? 0 : 1;
}

/** What provisioning did, for the technician: identity, files with their modes, config changes, lists, what is left. */
export function provisionSummary(r: ProvisionReport): string {
  const lines: string[] = [];
  const complete = r.lists.denyList.problem === null && r.lists.fares.problem === null;
  lines.push(`${complete ? 'provisioned' : 'provisioned, but incomplete'}: device ${r.deviceId}, backend ${r.backendUrl}`);
  if (r.enrollment === 'kept') {
    lines.push(`  enrollment: kept (enrolled ${r.enrolledAt}); no code needed${r.codeUnused ? ' (the --code given was not sent to the backend)' : ''}`);
  } else {
    lines.push(`  enrollment: ${r.enrollment === 'anew' ? 'enrolled anew (new device key; the old enrollment no longer works)' : 'enrolled'} at ${r.enrolledAt}`);
  }
  lines.push('  files:');
  const width = Math.max(...r.files.map((f) => f.what.length));
  for (const f of r.files) lines.push(`    ${f.what.padEnd(width)}  ${f.status.padEnd(9)}  ${fileMode(f)}  ${f.path}`);
  if (r.configChanges.length > 0) {
    lines.push('  config settings:');
    for (const c of r.configChanges) lines.push(`    ${c}`);
  }
  if (r.backendSettings.taken.length > 0) lines.push(`  from the backend: ${r.backendSettings.taken.join(', ')}`);
  for (const ignored of r.backendSettings.ignored) lines.push(`  from the backend, not taken: ${ignored}`);
  lines.push(`  deny list: ${listLine(r.lists.denyList, 'deny list', (s) => `version ${s.version}, ${s.entries ?? 0} card${s.entries === 1 ? '' : 's'}`)}`);
  lines.push(`  fare bundle: ${listLine(r.lists.fares, 'fare bundle', (s) => s.version)}`);
  if (r.notes.length > 0) {
    lines.push('  still to see to:');
    for (const n of r.notes) lines.push(`    - ${n}`);
  }
  if (!complete) {
    lines.push(
      'The device is enrolled and configured; what is missing above the validator fetches at its first sync once it runs, ' +
        'or run validator provision again (no new code needed) to fetch it now.',
    );
  } else {
    lines.push('Start the validator (systemctl start validator, or restart it).');
  }
  return lines.join('\n') + '\n';
}

function fileMode(f: FileReport): string {
  return `${f.mode.toString(8).padStart(4, '0')}${f.owner === null ? '' : ` ${f.owner}`}`;
}

function listLine(s: ListState, what: string, held: (s: ListState) => string): string {
  if (s.problem !== null) return `NOT FETCHED: ${s.problem}${s.none ? '' : `; the device keeps ${held(s)}`}`;
  if (s.none) return `none: the backend has published no ${what} yet`;
  return `${held(s)}${s.changed ? ' (fetched now)' : ' (already the newest)'}`;
}

/** Assigns and prints old → new and what the running validator did; exit 1 when it refused. */
export async function assignCommand(options: Common & AssignFlags): Promise<number> {
  const report = await assign({
    configFile: configTarget(options.config),
    stateDir: options.stateDir,
    change: { vehicle: options.vehicle, route: options.route },
    allowUnlistedRoute: options.allowUnlistedRoute === true,
  });
  process.stdout.write(assignSummary(report));
  return report.daemon.kind === 'refused' ? 1 : 0;
}

/** "bus BUS-0001 → BUS-117", the file, and what the running validator did. */
export function assignSummary(r: AssignReport): string {
  const arrow = (label: string, a: string | null, b: string | null): string => (a === b ? `${label} ${a ?? '-'} (unchanged)` : `${label} ${a ?? '-'} → ${b ?? '-'}`);
  const lines = [arrow('bus', r.before.vehicle, r.after.vehicle), arrow('route', r.before.route, r.after.route)];
  lines.push(r.fileChanged ? `${r.configFile} updated (mode ${r.mode.toString(8).padStart(4, '0')})` : `${r.configFile} already says so`);
  const now = `bus ${r.after.vehicle} route ${r.after.route ?? '-'}`;
  switch (r.daemon.kind) {
    case 'applied':
      lines.push(`the running validator took it: the next tap is journaled with ${now}`);
      break;
    case 'not-running':
      lines.push(`the validator is not running: it starts with ${now}`);
      break;
    case 'restart-needed':
      lines.push(`the running validator cannot take it while running (${r.daemon.why}): restart it (systemctl restart validator) to run with ${now}`);
      break;
    case 'refused':
      lines.push(`the running validator did not take it: ${r.daemon.why}`);
      break;
  }
  return lines.join('\n') + '\n';
}
