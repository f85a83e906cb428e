/**
 * Request signing, contract v1 (docs/sync-protocol.md): every request is signed by the device's Ed25519 key
 * over METHOD "\n" path-with-query "\n" X-Timestamp "\n" hex SHA-256 of the body bytes.
 */
import { createHash, sign, verify, type KeyObject } from 'node:crypto';

export const HEADER_DEVICE = 'x-device-id';
export const HEADER_TIMESTAMP = 'x-timestamp';
export const HEADER_SIGNATURE = 'x-signature';
export const HEADER_CONTENT_SIGNATURE = 'x-content-signature';

/** A timestamp further than this from the receiver's clock is refused (401 with serverTime). */
export const MAX_CLOCK_SKEW_MS = 300_000;

/** Lowercase hex SHA-256 of the body (of the empty string when there is none). */
export function bodyDigest(body: Uint8Array | null): string {
  return createHash('sha256')
    .update(body ?? new Uint8Array(0))
    .digest('hex');
}

/** The exact bytes that are signed. */
export function signingString(method: string, pathWithQuery: string, timestamp: string, body: Uint8Array | null): string {
  return `${method.toUpperCase()}\n${pathWithQuery}\n${timestamp}\n${bodyDigest(body)}`;
}

/** RFC 3339 UTC with milliseconds, as X-Timestamp carries it. */
export function formatTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** The three auth headers of one request. */
export function signRequest(
  deviceId: string,
  privateKey: KeyObject,
  request: { readonly method: string; readonly path: string; readonly body: Uint8Array | null; readonly now: number },
): Record<string, string> {
  const timestamp = formatTimestamp(request.now);
  const signature = sign(null, Buffer.from(signingString(request.method, request.path, timestamp, request.body)), privateKey);
  return { [HEADER_DEVICE]: deviceId, [HEADER_TIMESTAMP]: timestamp, [HEADER_SIGNATURE]: signature.toString('base64') };
}

/** Why a signed request is refused, or null when it is good. */
export function requestSignatureProblem(
  publicKey: KeyObject,
  request: {
    readonly method: string;
    readonly path: string;
    readonly body: Uint8Array | null;
    readonly timestamp: string | undefined;
    readonly signature: string | undefined;
    readonly now: number;
  },
): string | null {
  const { timestamp, signature } = request;
  if (timestamp === undefined || signature === undefined) return 'X-Timestamp and X-Signature are required';
  const time = parseTimestamp(timestamp);
  if (time === null) return `X-Timestamp "${timestamp}" is not an RFC 3339 UTC time such as 2026-03-21T08:15:30.000Z`;
  if (Math.abs(time - request.now) > MAX_CLOCK_SKEW_MS) {
    return `X-Timestamp ${timestamp} is more than ${MAX_CLOCK_SKEW_MS / 1000} s from the receiver's clock; correct by serverTime and sign again`;
  }
  const bytes = Buffer.from(signature, 'base64');
  const message = Buffer.from(signingString(request.method, request.path, timestamp, request.body));
  if (bytes.length !== 64 || !verify(null, message, publicKey, bytes)) return 'X-Signature does not verify with the enrolled key';
  return null;
}

/** Base64 Ed25519 signature over exact bytes (the X-Content-Signature of deny lists and fare bundles). */
export function signContent(privateKey: KeyObject, body: Uint8Array): string {
  return sign(null, body, privateKey).toString('base64');
}

/** True when `signature` is the backend key's signature over exactly these bytes. */
export function contentSignatureHolds(publicKey: KeyObject, body: Uint8Array, signature: string | undefined): boolean {
  if (signature === undefined) return false;
  const bytes = Buffer.from(signature, 'base64');
  return bytes.length === 64 && verify(null, body, publicKey, bytes);
}

const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

function parseTimestamp(text: string): number | null {
  if (!RFC3339_UTC.test(text)) return null;
  const t = Date.parse(text);
  return Number.isFinite(t) ? t : null;
}
