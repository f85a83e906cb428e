/**
 * The control socket's wire format: newline-delimited JSON, one request or one response a line.
 *
 *   request   {"v":1,"id":7,"method":"tap","params":{"profile":"valid"}}
 *   response  {"id":7,"ok":true,"result":{...}}
 *             {"id":7,"ok":false,"error":{"code":"NOT_FOUND","message":"..."}}
 *
 * Responses to a line that could not be read as a request carry `"id": null`.
 */
import { z } from 'zod';
import { ErrorCode, ValidatorError } from '../domain/errors.ts';

/** Bumped on any incompatible change; a daemon refuses requests of another version. */
export const PROTOCOL_VERSION = 1;
/** The CLI never sends more than a few hundred bytes: anything near this is a wrong peer, not a request. */
export const MAX_REQUEST_BYTES = 1024 * 1024;
/** Responses may carry lists (recent taps), so they get more room; the client still refuses a runaway peer. */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
/** Wire code for a handler failure that is not a ValidatorError (a bug): ErrorCode has no member for it. */
export const INTERNAL_ERROR = 'INTERNAL';

/** A request as the server reads it: version filled in, params `{}` when absent. */
export interface ControlRequest {
  readonly v: number;
  readonly id: number;
  readonly method: string;
  readonly params: unknown;
}

/** The error of a failure response: an ErrorCode value (or INTERNAL), and a message that says what to do. */
export interface WireError {
  readonly code: string;
  readonly message: string;
}

/** One answer; `id` is null when the request line could not be read far enough to find its id. */
export type ControlResponse =
  | { readonly id: number | null; readonly ok: true; readonly result: unknown }
  | { readonly id: number | null; readonly ok: false; readonly error: WireError };

/** A line read as a request, or what to answer when it cannot be. */
export type ParsedRequest =
  | { readonly ok: true; readonly request: ControlRequest }
  | { readonly ok: false; readonly id: number | null; readonly message: string };

const requestShape = z.object({
  // Absent means 1, so that a request typed by hand into socat while debugging still works.
  v: z.number().optional(),
  id: z.number().int(),
  method: z.string().min(1),
  params: z.unknown().optional(),
});

const responseShape = z.union([
  z.object({ id: z.number().int().nullable(), ok: z.literal(true), result: z.unknown() }),
  z.object({
    id: z.number().int().nullable(),
    ok: z.literal(false),
    error: z.object({ code: z.string(), message: z.string() }),
  }),
]);

const REQUEST_EXAMPLE = `{"v":${PROTOCOL_VERSION},"id":1,"method":"status","params":{}}`;

/** Reads one request line; never throws, so the server can always answer. */
export function parseRequest(line: string): ParsedRequest {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    const message = `request is not JSON (${why}); send one JSON object a line, e.g. ${REQUEST_EXAMPLE}`;
    return { ok: false, id: null, message };
  }
  const parsed = requestShape.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ');
    return { ok: false, id: idOf(json), message: `request has the wrong shape (${issues}); expected e.g. ${REQUEST_EXAMPLE}` };
  }
  const { v = PROTOCOL_VERSION, id, method, params } = parsed.data;
  if (v !== PROTOCOL_VERSION) {
    return {
      ok: false,
      id,
      message: `request speaks control protocol v${v}, this validator speaks v${PROTOCOL_VERSION}; use the validator CLI installed with the running daemon`,
    };
  }
  return { ok: true, request: { v, id, method, params: params ?? {} } };
}

/** Reads one response line; throws ValidatorError(ControlProtocol) when it is not one. */
export function parseResponse(line: string): ControlResponse {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (e) {
    const message = 'the validator answered with a line that is not JSON; is another program listening on its control socket?';
    throw new ValidatorError(ErrorCode.ControlProtocol, message, { cause: e });
  }
  const parsed = responseShape.safeParse(json);
  if (!parsed.success) {
    const message = 'the validator answered with JSON that is not a control response; are the CLI and the daemon from the same install?';
    throw new ValidatorError(ErrorCode.ControlProtocol, message, { cause: parsed.error });
  }
  return parsed.data;
}

/** One request as a line, newline included. */
export function encodeRequest(id: number, method: string, params: unknown): string {
  return `${JSON.stringify({ v: PROTOCOL_VERSION, id, method, params: params ?? {} })}\n`;
}

/** One response as a line, newline included. Throws what JSON.stringify throws (a cycle, a BigInt). */
export function encodeResponse(response: ControlResponse): string {
  // `undefined` would drop the key and leave a response the client cannot read: send null instead.
  const wire = response.ok ? { ...response, result: response.result ?? null } : response;
  return `${JSON.stringify(wire)}\n`;
}

/** A failure response. */
export function errorResponse(id: number | null, code: string, message: string): ControlResponse {
  return { id, ok: false, error: { code, message } };
}

/** The ErrorCode a wire code names, if this build knows it. */
export function knownErrorCode(code: string): ErrorCode | undefined {
  return (Object.values(ErrorCode) as string[]).includes(code) ? (code as ErrorCode) : undefined;
}

function idOf(json: unknown): number | null {
  if (typeof json !== 'object' || json === null || !('id' in json)) return null;
  return Number.isInteger(json.id) ? (json.id as number) : null;
}
