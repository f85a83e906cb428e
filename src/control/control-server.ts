import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { dirname } from 'node:path';
import { ErrorCode, ValidatorError, describeError } from '../domain/errors.ts';
import type { Logger } from '../log/logger.ts';
import { ControlConnection } from './control-connection.ts';
import type { ControlHandlers } from './dispatch.ts';
import {
  MAX_SOCKET_PATH_BYTES,
  bindPrivately,
  claimSocket,
  errnoCode,
  probeSocket,
  removeSocketIfOurs,
  removeStale,
} from './socket-file.ts';

/** What a ControlServer needs; the two timeouts have defaults that suit the daemon. */
export interface ControlServerOptions {
  /** The socket file, inside the state directory (see controlSocketPath). */
  readonly path: string;
  readonly handlers: ControlHandlers;
  readonly log: Logger;
  /** How long a socket already at `path` gets to accept before we call it live. */
  readonly probeTimeoutMs?: number;
  /** How long close() lets open connections finish their answers before cutting them. */
  readonly closeGraceMs?: number;
}

/** Room for the temporary name "<dir>/.c-XXXXXX/s" that the socket is bound under first. */
const TEMP_NAME_BYTES = '/.c-XXXXXX/s'.length;

/** The daemon's end of the control socket: a unix socket, mode 0600, in the state directory; never a network port. */
export class ControlServer {
  private readonly server: Server;
  private readonly connections = new Set<ControlConnection>();
  private readonly log: Logger;
  private ino: number | undefined;

  constructor(private readonly options: ControlServerOptions) {
    this.log = options.log;
    this.server = createServer({ allowHalfOpen: true }, (socket) => {
      const connection = new ControlConnection(socket, options.handlers, this.log);
      this.connections.add(connection);
      void connection.closed.then(() => this.connections.delete(connection));
    });
    // Without a listener, a failed accept (EMFILE) would be an uncaught exception that stops the daemon.
    this.server.on('error', (e) => this.log.warn(`control socket error: ${describeError(e)}`));
  }

  /**
   * Starts listening. Refuses when another validator answers on the path; removes a stale socket file left by
   * a daemon that was killed. This is a courtesy check with a clear message, not the single-instance lock.
   */
  async listen(): Promise<void> {
    const { path } = this.options;
    const stateDir = dirname(path);
    const longest = Math.max(Buffer.byteLength(path), Buffer.byteLength(stateDir) + TEMP_NAME_BYTES);
    if (longest > MAX_SOCKET_PATH_BYTES) {
      throw new ValidatorError(
        ErrorCode.ConfigInvalid,
        `state directory ${stateDir} is too long a path for a unix socket (sockets allow ${MAX_SOCKET_PATH_BYTES} bytes); choose a shorter state directory`,
      );
    }
    const { tempPath, tempDir } = await bindPrivately(this.server, path);
    try {
      this.ino = await this.claim(tempPath);
    } catch (e) {
      await closeServer(this.server);
      throw e;
    } finally {
      await rm(tempDir, { recursive: true, force: true });
    }
    this.log.info('control socket listening', { path });
  }

  /** Stops accepting, lets open connections finish their answers (then cuts them), and removes the socket file. */
  async close(): Promise<void> {
    const closed = closeServer(this.server);
    for (const connection of this.connections) connection.shutdown(this.options.closeGraceMs ?? 1000);
    await closed;
    if (this.ino !== undefined) await removeSocketIfOurs(this.options.path, this.ino);
    this.ino = undefined;
  }

  /** Puts the bound socket at its path, clearing a stale one; a second try covers a race with another start. */
  private async claim(tempPath: string): Promise<number> {
    const { path } = this.options;
    for (let attempt = 1; ; attempt += 1) {
      const probe = await probeSocket(path, this.options.probeTimeoutMs ?? 1000);
      switch (probe.kind) {
        case 'live':
          throw new ValidatorError(
            ErrorCode.InvalidState,
            `another validator is running with state directory ${dirname(path)} (it answers on ${path}); stop it first, or give this one another state directory`,
          );
        case 'not-socket':
          throw new ValidatorError(
            ErrorCode.InvalidState,
            `${path} exists and is not a socket; move it away (the validator puts its control socket there) or give this validator another state directory`,
          );
        case 'unknown':
          throw new ValidatorError(
            ErrorCode.InvalidState,
            `cannot tell whether a validator is running on ${path} (${probe.reason}); if none is, remove that file and start again`,
          );
        case 'stale':
          this.log.warn('removing stale control socket left by an earlier run', { path });
          await removeStale(path);
          break;
        case 'absent':
          break;
      }
      try {
        return await claimSocket(tempPath, path);
      } catch (e) {
        // Someone put a socket there since the probe: probe again, and that tells who.
        if (errnoCode(e) !== 'EEXIST' || attempt >= 3) throw e;
      }
    }
  }
}

/** server.close() as a promise; a server that never listened is already closed. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close((e) => (e ? reject(e) : resolve()));
  });
}
