/**
 * Enrollment: the device key is made here (or the one already on the device is kept), enrolled with a
 * one-time code, and the answer kept in the state directory's sync-enrollment.json: the backend URL, the
 * device id the backend knows, and the backend key every list and bundle must be signed by.
 */
import { existsSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { newKeyPair, publicKeyFromRaw, rawPublicKey, readPrivateKeyFile, writePrivateKeyFile, type KeyPair } from '../contract/keys.ts';
import { enrollResponseShape, paths } from '../contract/wire.ts';
import { SyncTransport } from './transport.ts';

export const ENROLLMENT_FILE = 'sync-enrollment.json';

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

export interface EnrollOptions {
  readonly backendUrl: string;
  readonly code: string;
  readonly deviceId: string;
  readonly keyFile: string;
  readonly enrollmentFile: string;
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

/** Enrolls and writes the enrollment file; throws with what the backend said when it refuses. */
export async function enroll(options: EnrollOptions): Promise<Enrollment> {
  const key = deviceKey(options.keyFile);
  const transport = new SyncTransport({
    baseUrl: options.backendUrl,
    deviceId: options.deviceId,
    privateKey: key.privateKey,
    now: options.now ?? Date.now,
    timeoutMs: options.timeoutMs ?? 15_000,
    maxResponseBytes: 1024 * 1024,
  });
  const body = Buffer.from(JSON.stringify({ deviceId: options.deviceId, enrollmentCode: options.code, publicKey: rawPublicKey(key.publicKey) }));
  const reply = await transport.request('POST', paths.enroll, body);
  if (reply.status !== 201) {
    let said = '';
    try {
      const error = (reply.json() as { error?: unknown }).error;
      said = typeof error === 'string' ? error : JSON.stringify(error ?? null);
    } catch {
      said = reply.body.toString('utf8').slice(0, 200);
    }
    throw new Error(`the backend refused the enrollment (HTTP ${reply.status}): ${said}`);
  }
  const answer = enrollResponseShape.parse(reply.json());
  const enrollment: Enrollment = {
    backendUrl: options.backendUrl,
    deviceId: answer.deviceId,
    backendPublicKey: answer.backendPublicKey,
    enrolledAt: new Date((options.now ?? Date.now)()).toISOString(),
    config: answer.config,
  };
  const temp = `${options.enrollmentFile}.tmp`;
  await writeFile(temp, JSON.stringify(enrollment, null, 2) + '\n', { mode: 0o600, flush: true });
  await rename(temp, options.enrollmentFile);
  return enrollment;
}
