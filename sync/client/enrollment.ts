/**
 * Enrollment: the device key is made here (or the one already on the device is kept), enrolled with a
 * one-time code, and the answer kept in the state directory's sync-enrollment.json: the backend URL, the
 * device id the backend knows, and the backend key every list and bundle must be signed by.
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { ErrorCode, ValidatorError } from '../../src/domain/errors.ts';
import { writeFileDurably, type FileOwner } from '../../src/fs/durable-file.ts';
import { newKeyPair, publicKeyFromRaw, rawPublicKey, readPrivateKeyFile, writePrivateKeyFile, type KeyPair } from '../contract/keys.ts';
import { enrollResponseShape, paths } from '../contract/wire.ts';
import { checkBackendUrl, replyError, SyncTransport, type TransportReply } from './transport.ts';
import { backendUnreachable, type RequestTimeout } from './unreachable.ts';

export const ENROLLMENT_FILE = 'sync-enrollment.json';

/** validator enroll's wait for the backend's answer: it has no --timeout, so a timeout names no setting. */
const ENROLL_TIMEOUT: RequestTimeout = { ms: 15_000, setting: null };

const enrollmentShape = z.object({
  backendUrl: z.string(),
  deviceId: z.string(),
  backendPublicKey: z.string(),
  enrolledAt: z.string(),
  config: z.record(z.string(), z.unknown()),
});
export type Enrollment = z.infer<typeof enrollmentShape>;

/** The enrollment file, or null when the device is not enrolled; a damaged file throws with its path. */
export function readEnrollment(path: string): Enrollment | null {
  if (!existsSync(path)) return null;
  const parsed = enrollmentShape.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path} is not an enrollment file (${parsed.error.issues[0]?.message ?? '?'}): enroll again with validator enroll`);
  publicKeyFromRaw(parsed.data.backendPublicKey);
  return parsed.data;
}

/** The device key at `keyFile`, made (mode 0600) when there is none yet. */
export function deviceKey(keyFile: string): KeyPair {
  if (existsSync(keyFile)) return readPrivateKeyFile(keyFile);
  const pair = newKeyPair();
  writePrivateKeyFile(keyFile, pair.privateKey);
  return pair;
}

export interface EnrollmentRequest {
  readonly backendUrl: string;
  readonly code: string;
  readonly deviceId: string;
  /** The key to enroll; nothing is written: the caller keeps it once the backend said yes. */
  readonly key: KeyPair;
  /** Absent: ENROLL_TIMEOUT, which nothing changes. */
  readonly timeout?: RequestTimeout;
  readonly now?: () => number;
}

/**
 * Enrolls `key` with a one-time code and returns what to keep; writes nothing. Throws ValidatorError:
 * EnrollmentRefused when the backend answers anything but 201, BackendUnreachable when it does not answer.
 */
export async function requestEnrollment(request: EnrollmentRequest): Promise<Enrollment> {
  const now = request.now ?? Date.now;
  const timeout = request.timeout ?? ENROLL_TIMEOUT;
  const transport = new SyncTransport({
    baseUrl: request.backendUrl,
    deviceId: request.deviceId,
    privateKey: request.key.privateKey,
    now,
    timeoutMs: timeout.ms,
    maxResponseBytes: 1024 * 1024,
  });
  const body = Buffer.from(JSON.stringify({ deviceId: request.deviceId, enrollmentCode: request.code, publicKey: rawPublicKey(request.key.publicKey) }));
  let reply: TransportReply;
  try {
    reply = await transport.request('POST', paths.enroll, body);
  } catch (e) {
    throw backendUnreachable(e, checkBackendUrl(request.backendUrl), timeout);
  }
  if (reply.status !== 201) throw refusal(reply, now());
  const answer = enrollResponseShape.safeParse(reply.json());
  const backendKey = answer.success ? publicKeyProblem(answer.data.backendPublicKey) : null;
  if (!answer.success || backendKey !== null) {
    const why = answer.success ? `backendPublicKey: ${backendKey}` : answer.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ValidatorError(
      ErrorCode.EnrollmentRefused,
      `the backend answered 201 but not with contract v1 (${why}); the code is probably spent: the backend's operators must look before a new code is tried`,
    );
  }
  return {
    backendUrl: request.backendUrl,
    deviceId: answer.data.deviceId,
    backendPublicKey: answer.data.backendPublicKey,
    enrolledAt: new Date(now()).toISOString(),
    config: answer.data.config,
  };
}

/** Writes the enrollment file (mode 0600) durably. */
export async function writeEnrollment(path: string, enrollment: Enrollment, owner: FileOwner | null = null): Promise<void> {
  await writeFileDurably(path, JSON.stringify(enrollment, null, 2) + '\n', { mode: 0o600, owner });
}

export interface EnrollOptions {
  readonly backendUrl: string;
  readonly code: string;
  readonly deviceId: string;
  readonly keyFile: string;
  readonly enrollmentFile: string;
  readonly timeout?: RequestTimeout;
  readonly now?: () => number;
}

/** `validator enroll`: the key on the device (made when there is none), enrolled; then the enrollment file. */
export async function enroll(options: EnrollOptions): Promise<Enrollment> {
  const key = deviceKey(options.keyFile);
  const { keyFile: _keyFile, enrollmentFile, ...rest } = options;
  const enrollment = await requestEnrollment({ ...rest, key });
  await writeEnrollment(enrollmentFile, enrollment);
  return enrollment;
}

/** What the backend's no means, and what to do about it. */
function refusal(reply: TransportReply, now: number): ValidatorError {
  const said = replyError(reply) ?? '(no body)';
  let advice: string;
  if (reply.status === 403) {
    advice = 'the enrollment code is unknown or already used (a code works once): ask the backend for a new one (the reference receiver: validator backend --data DIR code) and run again with --code NEW';
  } else if (reply.status === 401) {
    advice = `the backend did not accept the enrollment's signature: if it names the clock, set this device's clock (it says ${new Date(now).toISOString()}) and run again`;
  } else if (reply.status === 400) {
    advice = 'the backend could not read the enrollment: check the device id, and that the backend speaks sync contract v1';
  } else if (reply.status === 404 || reply.status === 405) {
    advice = 'this URL has no enrollment endpoint (POST /v1/enroll): check that it is the sync backend\'s';
  } else if (reply.status === 429 || reply.status === 503) {
    advice = 'the backend is busy: the code is not spent, run again in a minute';
  } else {
    advice = 'the backend failed: the code is not spent unless it says so, run again; if it keeps failing its operators must look';
  }
  return new ValidatorError(ErrorCode.EnrollmentRefused, `${advice} (the backend said HTTP ${reply.status}: ${said})`);
}

function publicKeyProblem(base64: string): string | null {
  try {
    publicKeyFromRaw(base64);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
