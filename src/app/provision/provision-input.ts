/** `validator provision`'s flags, checked before anything is touched; every problem is reported at once. */
import { isAbsolute, normalize } from 'node:path';
import { readerNameProblem } from '../../config/reader-name.ts';
import { idSchema } from '../../config/schema.ts';
import { ErrorCode, ValidatorError } from '../../domain/errors.ts';
import { checkBackendUrl } from '../../../sync/client/transport.ts';

/** The flags as commander hands them over. */
export interface ProvisionFlags {
  readonly deviceId: string;
  readonly backend: string;
  readonly code?: string | undefined;
  readonly vehicle?: string | undefined;
  readonly route?: string | undefined;
  /** One a door, in door order. */
  readonly reader?: readonly string[] | undefined;
  /** One a door, in door order (the first --display is the first door's). */
  readonly display?: readonly string[] | undefined;
  readonly gps?: string | undefined;
  readonly force?: boolean | undefined;
  /** Seconds to wait for the backend's answer to the enrollment. */
  readonly timeout?: number | undefined;
}

export interface ProvisionInput {
  readonly deviceId: string;
  /** The backend's origin (scheme, host, port): the contract's paths start at /v1. */
  readonly backendUrl: string;
  readonly code: string | null;
  readonly vehicle: string | null;
  readonly route: string | null;
  readonly readers: readonly string[];
  readonly displays: readonly string[];
  readonly gps: string | null;
  readonly force: boolean;
  readonly timeoutMs: number;
}

export const DEFAULT_ENROLL_TIMEOUT_SECONDS = 15;
const MAX_CODE_LENGTH = 128;

/** Checks every flag; throws BadRequest listing each problem with the flag and what to write instead. */
export function provisionInput(flags: ProvisionFlags): ProvisionInput {
  const problems: string[] = [];
  const id = (flag: string, value: string | undefined): string | null => {
    if (value === undefined) return null;
    const parsed = idSchema.safeParse(value);
    if (parsed.success) return value;
    problems.push(`${flag} ${JSON.stringify(value)}: 1 to 32 letters, digits, ".", "_" or "-"`);
    return null;
  };
  const deviceId = id('--device-id', flags.deviceId);
  const backendUrl = backendOrigin(flags.backend, problems);
  const code = flags.code?.trim() ?? null;
  if (code !== null && (code.length === 0 || code.length > MAX_CODE_LENGTH)) problems.push(`--code: the enrollment code the backend issued, 1 to ${MAX_CODE_LENGTH} characters`);
  const vehicle = id('--vehicle', flags.vehicle);
  const route = id('--route', flags.route);
  const readers = flags.reader ?? [];
  for (const pattern of readers) {
    const problem = pattern.length === 0 ? 'empty: write a part of the PC/SC reader name, or a /regex/' : readerNameProblem(pattern);
    if (problem) problems.push(`--reader ${JSON.stringify(pattern)}: ${problem}`);
  }
  const displays = flags.display ?? [];
  if (readers.length > 0 && displays.length > readers.length) {
    problems.push(`${displays.length} --display for ${readers.length} --reader: a display serves a door; give one --reader per door, in the same order`);
  }
  const ports = [...displays.map((p) => ['--display', p] as const), ...(flags.gps === undefined ? [] : [['--gps', flags.gps] as const])];
  for (const [flag, port] of ports) {
    const problem = serialPortProblem(port);
    if (problem) problems.push(`${flag} ${JSON.stringify(port)}: ${problem}`);
  }
  const seen = new Set<string>();
  for (const [flag, port] of ports) {
    if (seen.has(port)) problems.push(`${flag} ${port}: named twice; each device needs its own serial port`);
    seen.add(port);
  }
  const timeout = flags.timeout ?? DEFAULT_ENROLL_TIMEOUT_SECONDS;
  if (!Number.isFinite(timeout) || timeout <= 0 || timeout > 600) problems.push(`--timeout ${timeout}: seconds, more than 0 and at most 600`);
  if (problems.length > 0 || deviceId === null || backendUrl === null) {
    throw new ValidatorError(
      ErrorCode.BadRequest,
      `nothing was changed; ${problems.length === 1 ? 'one problem' : `${problems.length} problems`} with the command:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
  return { deviceId, backendUrl, code, vehicle, route, readers, displays, gps: flags.gps ?? null, force: flags.force === true, timeoutMs: timeout * 1000 };
}

/** The URL's origin when it is one the contract allows (https, or http to loopback), with no path beyond "/". */
function backendOrigin(url: string, problems: string[]): string | null {
  let origin: string;
  try {
    origin = checkBackendUrl(url);
  } catch (e) {
    problems.push(`--backend: ${(e as Error).message}`);
    return null;
  }
  const parsed = new URL(url);
  if (parsed.pathname !== '/' || parsed.search !== '' || parsed.hash !== '' || parsed.username !== '' || parsed.password !== '') {
    problems.push(`--backend ${url}: only the backend's address is wanted (scheme, host and port, e.g. ${origin}): the contract's paths start at /v1, and devices sign requests instead of carrying passwords`);
    return null;
  }
  return origin;
}

/** A serial device is an absolute path in its plain form (/dev/ttyUSB0, /dev/serial/by-id/…); it need not be plugged in yet. */
function serialPortProblem(port: string): string | null {
  if (!isAbsolute(port) || normalize(port) !== port || port.endsWith('/')) {
    return 'an absolute path to the serial device, e.g. /dev/ttyUSB0 or /dev/serial/by-id/usb-…';
  }
  return null;
}
