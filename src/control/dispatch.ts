import { ErrorCode, describeError, isValidatorError } from '../domain/errors.ts';
import type { Logger } from '../log/logger.ts';
import { INTERNAL_ERROR, errorResponse, parseRequest } from './protocol.ts';
import type { ControlResponse } from './protocol.ts';

/** Answers one control method. Throw a ValidatorError to send its code and message back to the caller. */
export type ControlHandler = (params: unknown) => Promise<unknown>;

export type ControlHandlers = Readonly<Record<string, ControlHandler>>;

/** Turns one request line into its response. Never rejects: every failure becomes an error response. */
export async function dispatch(handlers: ControlHandlers, line: string, log: Logger): Promise<ControlResponse> {
  const parsed = parseRequest(line);
  if (!parsed.ok) {
    log.warn('unreadable control request', { reason: parsed.message });
    return errorResponse(parsed.id, ErrorCode.ControlProtocol, parsed.message);
  }
  const { id, method, params } = parsed.request;
  // Own properties only: "constructor" or "toString" must not reach Object.prototype.
  const handler = Object.hasOwn(handlers, method) ? handlers[method] : undefined;
  if (!handler) {
    const known = Object.keys(handlers).sort().join(', ');
    return errorResponse(id, ErrorCode.NotFound, `unknown control method "${method}"; this validator answers: ${known}`);
  }
  log.debug(() => `control request ${id} ${method}`);
  try {
    return { id, ok: true, result: await handler(params) };
  } catch (e) {
    if (isValidatorError(e)) return errorResponse(id, e.code, e.message);
    // Not a ValidatorError means a bug: the caller gets the message, the log gets the stack.
    log.error(`control method ${method} failed: ${describeError(e)}`, { stack: e instanceof Error ? e.stack : undefined });
    return errorResponse(id, INTERNAL_ERROR, `${method} failed inside the validator: ${describeError(e)} (see the validator's log)`);
  }
}
