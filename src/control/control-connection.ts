import type { Socket } from 'node:net';
import { ErrorCode, describeError } from '../domain/errors.ts';
import type { Logger } from '../log/logger.ts';
import { dispatch } from './dispatch.ts';
import type { ControlHandlers } from './dispatch.ts';
import { LineSplitter } from './line-splitter.ts';
import { INTERNAL_ERROR, MAX_REQUEST_BYTES, MAX_RESPONSE_BYTES, encodeResponse, errorResponse } from './protocol.ts';
import type { ControlResponse } from './protocol.ts';

/**
 * One client connection: any number of requests, each answered as soon as its handler finishes (the ids tell
 * the answers apart). The socket must come from a server with `allowHalfOpen: true`: a client that sends its
 * request and then closes its side (`echo ... | socat`) still gets its answer before we close ours.
 */
export class ControlConnection {
  /** Resolves once the socket is fully closed. */
  readonly closed: Promise<void>;
  private readonly splitter = new LineSplitter(MAX_REQUEST_BYTES);
  private inFlight = 0;
  private peerEnded = false;
  private shuttingDown = false;

  constructor(
    private readonly socket: Socket,
    private readonly handlers: ControlHandlers,
    private readonly log: Logger,
  ) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('end', () => {
      this.peerEnded = true;
      this.endWhenIdle();
    });
    // A client that leaves mid-answer gives EPIPE or ECONNRESET: its loss, never the daemon's.
    socket.on('error', (e) => log.debug(`control connection error: ${describeError(e)}`));
  }

  /** Answers what is in flight, refuses new requests, then closes; destroys the socket after `graceMs` regardless. */
  shutdown(graceMs: number): void {
    this.shuttingDown = true;
    this.endWhenIdle();
    const timer = setTimeout(() => this.socket.destroy(), graceMs);
    // The open socket keeps the process alive until then, so the timer need not.
    timer.unref();
    void this.closed.then(() => clearTimeout(timer));
  }

  private receive(chunk: Buffer): void {
    for (const event of this.splitter.push(chunk)) {
      if (event.kind === 'oversize') {
        this.log.warn('oversize control request dropped', { bytes: event.bytes });
        this.send(
          errorResponse(
            null,
            ErrorCode.ControlProtocol,
            `request line is over ${MAX_REQUEST_BYTES} bytes and was dropped up to its newline; a control request is one short JSON object a line`,
          ),
        );
      } else if (this.shuttingDown) {
        this.send(errorResponse(null, ErrorCode.ControlUnavailable, 'the validator is shutting down; try again once it has restarted'));
      } else {
        this.inFlight += 1;
        void dispatch(this.handlers, event.text, this.log).then((response) => {
          this.inFlight -= 1;
          this.send(response);
          this.endWhenIdle();
        });
      }
    }
  }

  private send(response: ControlResponse): void {
    // The client may have gone before its answer was ready.
    if (!this.socket.writable) return;
    this.socket.write(this.encode(response));
  }

  /** The response as a line; a result that cannot be sent becomes an error the client can read. */
  private encode(response: ControlResponse): string {
    let line: string;
    try {
      line = encodeResponse(response);
    } catch (e) {
      this.log.error(`control response ${response.id ?? '-'} is not JSON-serialisable: ${describeError(e)}`);
      return encodeResponse(errorResponse(response.id, INTERNAL_ERROR, `the answer could not be encoded as JSON: ${describeError(e)}`));
    }
    const bytes = Buffer.byteLength(line);
    if (bytes <= MAX_RESPONSE_BYTES) return line;
    return encodeResponse(
      errorResponse(
        response.id,
        ErrorCode.ControlProtocol,
        `the answer is ${bytes} bytes, over the ${MAX_RESPONSE_BYTES}-byte limit of a control response; ask for less`,
      ),
    );
  }

  private endWhenIdle(): void {
    if (this.inFlight === 0 && (this.peerEnded || this.shuttingDown)) this.socket.end();
  }
}
