import { createConnection } from 'node:net';
import { dirname } from 'node:path';
import { ErrorCode, ValidatorError, describeError } from '../domain/errors.ts';
import { LineSplitter } from './line-splitter.ts';
import { MAX_RESPONSE_BYTES, encodeRequest, knownErrorCode, parseResponse } from './protocol.ts';
import type { ControlResponse, WireError } from './protocol.ts';
import { errnoCode } from './socket-file.ts';

/** How long callControl waits. */
export interface CallOptions {
  /** From connecting to the answer; a daemon that takes longer is reported as not answering. */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 5000;
/** One request per connection, so the id only has to tell our answer from an unreadable-line error (id null). */
const REQUEST_ID = 1;

/**
 * Calls one method of the validator daemon listening on `path` and returns its result.
 * Throws ValidatorError: the daemon's own code when it refuses; ControlUnavailable when nobody answers in time.
 */
export function callControl(path: string, method: string, params: unknown, options: CallOptions = {}): Promise<unknown> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const stateDir = dirname(path);
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    const splitter = new LineSplitter(MAX_RESPONSE_BYTES);
    let settled = false;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      outcome();
    };
    const fail = (error: ValidatorError): void => finish(() => reject(error));

    const timer = setTimeout(() => {
      const message = `the validator on ${path} did not answer "${method}" within ${timeoutMs} ms; is it stuck? see its log`;
      fail(new ValidatorError(ErrorCode.ControlUnavailable, message));
    }, timeoutMs);

    socket.once('connect', () => socket.write(encodeRequest(REQUEST_ID, method, params)));
    socket.on('error', (e) => fail(connectionError(e, path, stateDir)));
    socket.on('close', () => {
      const message = `the validator on ${path} closed the connection before answering "${method}"; it may be shutting down, see its log`;
      fail(new ValidatorError(ErrorCode.ControlUnavailable, message));
    });
    socket.on('data', (chunk: Buffer) => {
      for (const event of splitter.push(chunk)) {
        if (event.kind === 'oversize') {
          const message = `the validator's answer to "${method}" is over ${MAX_RESPONSE_BYTES} bytes; ask for less`;
          fail(new ValidatorError(ErrorCode.ControlProtocol, message));
          return;
        }
        let response: ControlResponse;
        try {
          response = parseResponse(event.text);
        } catch (e) {
          fail(e instanceof ValidatorError ? e : new ValidatorError(ErrorCode.ControlProtocol, describeError(e), { cause: e }));
          return;
        }
        if (response.id !== REQUEST_ID && response.id !== null) continue;
        if (response.ok) finish(() => resolve(response.result));
        else fail(remoteError(response.error));
        return;
      }
    });
  });
}

/** The daemon's refusal as a ValidatorError with the daemon's code. */
function remoteError(error: WireError): ValidatorError {
  const code = knownErrorCode(error.code);
  if (code) return new ValidatorError(code, error.message);
  // A code this CLI does not know (the daemon's INTERNAL, or a newer daemon's): keep it in the text.
  return new ValidatorError(ErrorCode.ControlProtocol, `${error.message} [${error.code}]`);
}

/** A socket error as the CLI user needs to read it. */
function connectionError(e: Error, path: string, stateDir: string): ValidatorError {
  switch (errnoCode(e)) {
    case 'ENOENT':
    case 'ECONNREFUSED':
      return new ValidatorError(
        ErrorCode.ControlUnavailable,
        `no validator is running with state directory ${stateDir}; start one with \`npm start\` or \`validator run\``,
        { cause: e },
      );
    case 'EACCES':
      return new ValidatorError(
        ErrorCode.ControlUnavailable,
        `not allowed to open ${path} (it is mode 0600); run this command as the user the validator runs as`,
        { cause: e },
      );
    default:
      return new ValidatorError(ErrorCode.ControlUnavailable, `cannot reach the validator on ${path}: ${describeError(e)}`, { cause: e });
  }
}
