import { existsSync, readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callControl } from '../../src/control/control-client.ts';
import { ControlServer } from '../../src/control/control-server.ts';
import type { ControlHandlers } from '../../src/control/dispatch.ts';
import { MAX_REQUEST_BYTES } from '../../src/control/protocol.ts';
import { controlSocketPath } from '../../src/control/socket-path.ts';
import { ErrorCode, ValidatorError } from '../../src/domain/errors.ts';
import { createLogger, silentLogger } from '../../src/log/logger.ts';
import { RawClient, failure, makeStaleSocket, tempStateDir } from './helpers.ts';

const handlers: ControlHandlers = {
  echo: (params) => Promise.resolve(params),
  tap: (params) => {
    const { profile } = params as { profile?: string };
    if (profile !== 'valid') {
      return Promise.reject(new ValidatorError(ErrorCode.NotFound, `no card profile "${String(profile)}"; try: valid`));
    }
    return Promise.resolve({ decision: 'accepted', fare: 50_000 });
  },
  broken: () => Promise.reject(new TypeError('cannot read properties of undefined')),
  slow: async (params) => {
    await new Promise((r) => setTimeout(r, (params as { ms: number }).ms));
    return 'done';
  },
  nothing: () => Promise.resolve(undefined),
};


describe('ControlServer', () => {
  let state: ReturnType<typeof tempStateDir>;
  let path: string;
  let servers: ControlServer[];
  const start = async (opts: Partial<{ handlers: ControlHandlers }> = {}): Promise<ControlServer> => {
    const server = new ControlServer({ path, handlers: opts.handlers ?? handlers, log: silentLogger });
    servers.push(server);
    await server.listen();
    return server;
  };

  beforeEach(() => {
    state = tempStateDir();
    path = controlSocketPath(state.dir);
    servers = [];
  });
  afterEach(async () => {
    for (const s of servers) await s.close();
    state.remove();
  });

  it('answers a request with the handler result', async () => {
    await start();
    expect(await callControl(path, 'tap', { profile: 'valid' })).toEqual({ decision: 'accepted', fare: 50_000 });
    expect(await callControl(path, 'echo', { a: [1, 'two', null] })).toEqual({ a: [1, 'two', null] });
    expect(await callControl(path, 'nothing', {})).toBeNull();
  });

  it("sends a handler's ValidatorError back with its code and message", async () => {
    await start();
    const e = await failure(callControl(path, 'tap', { profile: 'gold' }));
    expect(e.code).toBe(ErrorCode.NotFound);
    expect(e.message).toBe('no card profile "gold"; try: valid');
  });

  it('sends any other error back as INTERNAL and logs it with its stack', async () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', format: 'json', write: (l) => lines.push(l) });
    const server = new ControlServer({ path, handlers, log });
    servers.push(server);
    await server.listen();

    const raw = await RawClient.connect(path);
    raw.send('{"v":1,"id":4,"method":"broken","params":{}}\n');
    expect(await raw.nextJson()).toEqual({
      id: 4,
      ok: false,
      error: { code: 'INTERNAL', message: expect.stringContaining('cannot read properties of undefined') as unknown },
    });
    raw.close();

    const e = await failure(callControl(path, 'broken', {}));
    expect(e.code).toBe(ErrorCode.ControlProtocol);
    expect(e.message).toContain('[INTERNAL]');
    const logged = lines.map((l) => JSON.parse(l) as { level: string; msg: string; stack?: string }).filter((l) => l.level === 'error');
    expect(logged).toHaveLength(2);
    expect(logged[0]?.msg).toContain('control method broken failed');
    expect(logged[0]?.stack).toContain('TypeError');
  });

  it('answers an unknown method with NotFound listing the methods', async () => {
    await start();
    const e = await failure(callControl(path, 'reboot', {}));
    expect(e.code).toBe(ErrorCode.NotFound);
    expect(e.message).toBe('unknown control method "reboot"; this validator answers: broken, echo, nothing, slow, tap');
    // Names inherited from Object.prototype are not methods.
    expect((await failure(callControl(path, 'constructor', {}))).code).toBe(ErrorCode.NotFound);
  });

  it('creates the socket file with mode 0600 and leaves no temporary file behind', async () => {
    await start();
    const st = statSync(path);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
    expect(readdirSync(state.dir)).toEqual(['control.sock']);
  });

  it('replaces a stale socket left by a killed daemon', async () => {
    makeStaleSocket(path);
    expect(statSync(path).isSocket()).toBe(true);
    await start();
    expect(await callControl(path, 'echo', 'alive')).toBe('alive');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('refuses to start while another validator answers on the path, and leaves that one serving', async () => {
    await start();
    const second = new ControlServer({ path, handlers, log: silentLogger });
    const e = await failure(second.listen());
    expect(e.code).toBe(ErrorCode.InvalidState);
    expect(e.message).toContain(`another validator is running with state directory ${state.dir}`);
    await second.close();
    expect(await callControl(path, 'echo', 1)).toBe(1);
    expect(readdirSync(state.dir)).toEqual(['control.sock']);
  });

  it('refuses to replace a file that is not a socket', async () => {
    writeFileSync(path, 'precious');
    const server = new ControlServer({ path, handlers, log: silentLogger });
    const e = await failure(server.listen());
    expect(e.code).toBe(ErrorCode.InvalidState);
    expect(e.message).toContain('is not a socket');
    expect(readdirSync(state.dir)).toEqual(['control.sock']);
    expect(statSync(path).isFile()).toBe(true);
  });

  it('refuses a state directory too long for a unix socket path, saying so', async () => {
    const long = `${state.dir}/${'d'.repeat(100)}`;
    const server = new ControlServer({ path: controlSocketPath(long), handlers, log: silentLogger });
    const e = await failure(server.listen());
    expect(e.code).toBe(ErrorCode.ConfigInvalid);
    expect(e.message).toContain('choose a shorter state directory');
  });

  it('answers invalid JSON and an oversize line with ControlProtocol, then keeps serving the same connection', async () => {
    await start();
    const raw = await RawClient.connect(path);

    raw.send('{"id": 1, "method": \n');
    expect(await raw.nextJson()).toMatchObject({ id: null, ok: false, error: { code: ErrorCode.ControlProtocol } });

    raw.send('{"id": 2, "method": 42}\n');
    expect(await raw.nextJson()).toMatchObject({ id: 2, ok: false, error: { code: ErrorCode.ControlProtocol } });

    raw.send('{"v": 2, "id": 3, "method": "echo"}\n');
    const wrongVersion = await raw.nextJson();
    expect(wrongVersion).toMatchObject({ id: 3, ok: false, error: { code: ErrorCode.ControlProtocol } });
    expect(JSON.stringify(wrongVersion)).toContain('v2');

    // Answered once the cap is passed, before any newline: a peer that never sends one is not left hanging.
    raw.send(Buffer.alloc(MAX_REQUEST_BYTES + 10, 'x'));
    const oversize = await raw.nextJson();
    expect(oversize).toMatchObject({ id: null, ok: false, error: { code: ErrorCode.ControlProtocol } });
    expect(JSON.stringify(oversize)).toContain(`over ${MAX_REQUEST_BYTES} bytes`);
    raw.send('xxxx tail of the oversize line\n');

    raw.send('{"id": 5, "method": "echo", "params": "still here"}\r\n');
    expect(await raw.nextJson()).toEqual({ id: 5, ok: true, result: 'still here' });
    raw.close();

    expect(await callControl(path, 'echo', 'and for others')).toBe('and for others');
  });

  it('answers several requests on one connection, each as soon as it is done', async () => {
    await start();
    const raw = await RawClient.connect(path);
    raw.send('{"id":1,"method":"slow","params":{"ms":150}}\n{"id":2,"method":"echo","params":"fast"}\n');
    expect(await raw.nextJson()).toEqual({ id: 2, ok: true, result: 'fast' });
    expect(await raw.nextJson()).toEqual({ id: 1, ok: true, result: 'done' });
    raw.close();
  });

  it('serves concurrent clients', async () => {
    await start();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => callControl(path, 'echo', { i })));
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => ({ i })));
  });

  it('answers a client that closed its side after sending (echo | socat)', async () => {
    await start();
    const raw = await RawClient.connect(path);
    raw.socket.end('{"id":9,"method":"slow","params":{"ms":50}}\n');
    expect(await raw.nextJson()).toEqual({ id: 9, ok: true, result: 'done' });
    await raw.ended();
  });

  it('close() finishes answers in flight, ends connections and removes the socket file', async () => {
    const server = await start();
    const idle = await RawClient.connect(path);
    const inFlight = callControl(path, 'slow', { ms: 100 });
    await new Promise((r) => setTimeout(r, 20));

    await server.close();
    expect(await inFlight).toBe('done');
    await idle.ended();
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(state.dir)).toEqual([]);

    const e = await failure(callControl(path, 'echo', 1));
    expect(e.code).toBe(ErrorCode.ControlUnavailable);
  });

  it('close() leaves alone a socket that is no longer its own', async () => {
    const first = await start();
    // An operator deleted the first daemon's socket file and started a second daemon, which now owns the path.
    unlinkSync(path);
    await start();
    await first.close();
    expect(statSync(path).isSocket()).toBe(true);
    expect(await callControl(path, 'echo', 'second')).toBe('second');
  });
});
