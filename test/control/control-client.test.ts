import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callControl } from '../../src/control/control-client.ts';
import { controlSocketPath } from '../../src/control/socket-path.ts';
import { ErrorCode } from '../../src/domain/errors.ts';
import { failure, makeStaleSocket, tempStateDir } from './helpers.ts';


/** A peer that is not a validator: it does whatever `onConnection` does with each connection. */
function fakePeer(path: string, onConnection: (socket: Socket) => void): Promise<FakePeer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      // A peer that never reads never sees the client leave: cut its connections, or close() waits forever.
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return new Promise((resolve) => server.listen(path, () => resolve({ close })));
}

interface FakePeer {
  close(): Promise<void>;
}

describe('callControl', () => {
  let state: ReturnType<typeof tempStateDir>;
  let path: string;
  const peers: FakePeer[] = [];

  beforeEach(() => {
    state = tempStateDir();
    path = controlSocketPath(state.dir);
  });
  afterEach(async () => {
    for (const p of peers.splice(0)) await p.close();
    state.remove();
  });

  it('says no validator is running, naming the state directory, when there is no socket', async () => {
    const e = await failure(callControl(path, 'status', {}));
    expect(e.code).toBe(ErrorCode.ControlUnavailable);
    expect(e.message).toBe(
      `no validator is running with state directory ${state.dir}; start one with \`npm start\` or \`validator run\``,
    );
  });

  it('says the same for a stale socket nobody listens on', async () => {
    makeStaleSocket(path);
    const e = await failure(callControl(path, 'status', {}));
    expect(e.code).toBe(ErrorCode.ControlUnavailable);
    expect(e.message).toContain(`no validator is running with state directory ${state.dir}`);
  });

  it('gives up after timeoutMs when the daemon does not answer', async () => {
    peers.push(await fakePeer(path, () => undefined));
    const started = Date.now();
    const e = await failure(callControl(path, 'status', {}, { timeoutMs: 150 }));
    expect(e.code).toBe(ErrorCode.ControlUnavailable);
    expect(e.message).toContain('did not answer "status" within 150 ms');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('reports a daemon that closes the connection without answering', async () => {
    peers.push(await fakePeer(path, (socket) => socket.once('data', () => socket.end())));
    const e = await failure(callControl(path, 'status', {}));
    expect(e.code).toBe(ErrorCode.ControlUnavailable);
    expect(e.message).toContain('closed the connection before answering "status"');
  });

  it('reports a peer that does not speak the protocol as ControlProtocol', async () => {
    peers.push(await fakePeer(path, (socket) => socket.once('data', () => socket.write('HTTP/1.1 400 Bad Request\r\n\r\n'))));
    const e = await failure(callControl(path, 'status', {}));
    expect(e.code).toBe(ErrorCode.ControlProtocol);
  });

  it('sends one versioned request line and returns the result of the answer with its id', async () => {
    const received: string[] = [];
    peers.push(
      await fakePeer(path, (socket) => {
        socket.setEncoding('utf8');
        socket.once('data', (line: string) => {
          received.push(line);
          // An answer to some other id first: it must be skipped, not taken for ours.
          socket.write('{"id":99,"ok":true,"result":"not yours"}\n{"id":1,"ok":true,"result":{"taps":3}}\n');
        });
      }),
    );
    expect(await callControl(path, 'status', { verbose: true })).toEqual({ taps: 3 });
    expect(received).toEqual(['{"v":1,"id":1,"method":"status","params":{"verbose":true}}\n']);
  });
});
