// validator provision against the reference receiver over loopback: a real enrollment, real files, real lists.
import { execFileSync } from 'node:child_process';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type Server, type Socket } from 'node:net';
import { readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load-config.ts';
import { DenyListStore } from '../../src/deny-list/deny-list-store.ts';
import { ErrorCode } from '../../src/domain/errors.ts';
import { systemClock } from '../../src/domain/time.ts';
import { loadFareBundleDir } from '../../src/fares/read-bundle-dir.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { readEnrollment } from '../../sync/client/enrollment.ts';
import { rawPublicKey, readPrivateKeyFile } from '../../sync/contract/keys.ts';
import { FaultProxy } from '../sync/helpers/fault-proxy.ts';
import { useTempDir } from '../journal/helpers/temp-dir.ts';
import { DENIED_CARD, DEVICE, mode, provisionWith, refusal, snapshot, startBackend, type Backend, type Target } from './helpers.ts';

describe('validator provision', () => {
  const dir = useTempDir();
  let backend: Backend;
  let target: Target;
  const keyFile = (): string => join(target.stateDir, 'device-key.pem');
  const enrollmentFile = (): string => join(target.stateDir, 'sync-enrollment.json');
  /** Everything provisioning may touch: the state directory and the config's directory. */
  const disk = (): unknown => ({ state: snapshot(target.stateDir), etc: snapshot(join(dir.path, 'etc')) });

  beforeEach(async () => {
    backend = await startBackend(join(dir.path, 'backend'));
    target = { stateDir: join(dir.path, 'state'), configFile: join(dir.path, 'etc', 'validator', 'config.json') };
  });
  afterEach(async () => {
    await backend.close();
  });

  it('enrolls, writes key and enrollment (0600) and config (0640), and fetches a deny list and fare bundle the validator can load', async () => {
    const report = await provisionWith(target, {
      deviceId: DEVICE,
      backend: backend.url,
      code: backend.code(),
      vehicle: 'BUS-117',
      route: '14',
      reader: ['ACR1252', '/PICC.*01$/'],
      display: ['/dev/ttyUSB0'],
      gps: '/dev/serial/by-id/usb-u-blox_GNSS-if00',
    });

    expect(report.enrollment).toBe('new');
    expect(report.files.map((f) => [f.what, f.status, f.mode])).toEqual([
      ['device key', 'new', 0o600],
      ['enrollment', 'new', 0o600],
      ['config', 'new', 0o640],
    ]);
    expect([mode(keyFile()), mode(enrollmentFile()), mode(target.configFile), mode(target.stateDir)]).toEqual([0o600, 0o600, 0o640, 0o700]);

    // The receiver holds the key on disk, and the enrollment names this device and backend.
    const key = readPrivateKeyFile(keyFile());
    expect(backend.receiver.store.device(DEVICE)?.publicKey).toBe(rawPublicKey(key.publicKey));
    expect(readEnrollment(enrollmentFile())).toMatchObject({ deviceId: DEVICE, backendUrl: backend.url, backendPublicKey: rawPublicKey(backend.receiver.key.publicKey) });

    // The config: the flags, the backend's sync settings, and nothing else written.
    const config = loadConfigFile(target.configFile);
    expect(config.device).toMatchObject({ id: DEVICE, vehicle: 'BUS-117', route: '14' });
    expect(config.sync).toMatchObject({ backendUrl: backend.url, batchSize: 500, heartbeatSeconds: 60 });
    expect(config.gps.port).toBe('/dev/serial/by-id/usb-u-blox_GNSS-if00');
    expect(config.readers).toEqual([
      { id: 'front', name: 'ACR1252', feedback: { port: '/dev/ttyUSB0', baudRate: 115_200 } },
      { id: 'rear', name: '/PICC.*01$/', feedback: null },
    ]);
    expect(Object.keys(JSON.parse(readFileSync(target.configFile, 'utf8')) as object)).toEqual(['device', 'sync', 'gps', 'readers']);
    expect(report.backendSettings.taken).toEqual(['sync.batchSize = 500', 'sync.heartbeatSeconds = 60']);

    // The lists, loaded the way the daemon loads them at start.
    expect(report.lists.denyList).toMatchObject({ version: '1', entries: 1, changed: true, problem: null });
    expect(report.lists.fares).toMatchObject({ version: 'qom-1404.1', changed: true, problem: null });
    const denyList = DenyListStore.open({ stateDir: target.stateDir, clock: systemClock, log: silentLogger });
    expect([denyList.version, denyList.lookup(DENIED_CARD)?.reason]).toEqual(['1', 'stolen']);
    await denyList.close();
    const bundle = loadFareBundleDir(join(target.stateDir, 'fares', 'qom-1404.1'));
    expect(bundle.ok && bundle.bundle.version).toBe('qom-1404.1');

    expect(report.notes.join('\n')).toMatch(/keys\.file is not set/);
    expect(report.notes.join('\n')).toMatch(/\/dev\/ttyUSB0 is not there now: the validator opens it when it appears/);
  });

  it('run again with the same id and backend: keeps key and enrollment without a code, rewrites the config only when it changed, fetches newer lists', async () => {
    await provisionWith(target, { deviceId: DEVICE, backend: backend.url, code: backend.code(), vehicle: 'BUS-117' });
    const key = readFileSync(keyFile());
    const enrollment = readFileSync(enrollmentFile());
    const configWritten = statSync(target.configFile).mtimeMs;

    const again = await provisionWith(target, { deviceId: DEVICE, backend: `${backend.url}/` });
    expect(again.enrollment).toBe('kept');
    expect(again.codeUnused).toBe(false);
    expect(again.files.map((f) => f.status)).toEqual(['kept', 'kept', 'unchanged']);
    expect(again.configChanges).toEqual([]);
    expect(statSync(target.configFile).mtimeMs).toBe(configWritten);
    expect(again.lists.denyList).toMatchObject({ version: '1', changed: false, problem: null });

    // A code given anyway is not sent: it stays unspent for another device.
    const unspent = backend.code();
    backend.denyAdd('6037990000000001');
    const third = await provisionWith(target, { deviceId: DEVICE, backend: backend.url, code: unspent, vehicle: 'BUS-200' });
    expect(third.codeUnused).toBe(true);
    expect(third.files.map((f) => f.status)).toEqual(['kept', 'kept', 'replaced']);
    expect(third.configChanges).toEqual(['device.vehicle: BUS-117 → BUS-200']);
    expect(third.lists.denyList).toMatchObject({ version: '2', entries: 2, changed: true });
    expect(readFileSync(keyFile())).toEqual(key);
    expect(readFileSync(enrollmentFile())).toEqual(enrollment);
    expect(backend.receiver.store.db.prepare('SELECT used_at FROM codes WHERE code = ?').get(unspent)).toEqual({ used_at: null });
  });

  it('keeps the settings of a config file already there (merge, not clobber), door ids and displays included', async () => {
    mkdirSync(join(dir.path, 'etc', 'validator'), { recursive: true });
    const before = {
      display: { moneyUnit: 'rial' },
      journal: { retentionDays: 30 },
      sync: { batchSize: 200, intervalSeconds: 10 },
      readers: [
        { id: 'door-a', name: 'OLD', feedback: { port: '/dev/qom-feedback-a', baudRate: 57_600 } },
        { id: 'door-b', name: 'OLD2' },
      ],
    };
    writeFileSync(target.configFile, JSON.stringify(before));
    await provisionWith(target, { deviceId: DEVICE, backend: backend.url, code: backend.code(), reader: ['ACR1252', 'ACR1252 01'], display: ['/dev/ttyUSB0'] });
    const written = JSON.parse(readFileSync(target.configFile, 'utf8')) as typeof before & { device: unknown };
    expect(written.display).toEqual({ moneyUnit: 'rial' });
    expect(written.journal).toEqual({ retentionDays: 30 });
    // The backend's settings win over the old file's; the file's own other sync settings stay.
    expect(written.sync).toEqual({ batchSize: 500, intervalSeconds: 10, backendUrl: backend.url, heartbeatSeconds: 60 });
    expect(written.readers).toEqual([
      { id: 'door-a', name: 'ACR1252', feedback: { port: '/dev/ttyUSB0', baudRate: 57_600 } },
      { id: 'door-b', name: 'ACR1252 01' },
    ]);
  });

  it('--force enrolls anew with a fresh code: a new key the receiver holds', async () => {
    await provisionWith(target, { deviceId: DEVICE, backend: backend.url, code: backend.code() });
    const oldKey = readFileSync(keyFile());
    const missing = await refusal(provisionWith(target, { deviceId: DEVICE, backend: backend.url, force: true }));
    expect(missing.message).toMatch(/^nothing was changed: --force enrolls anew.*takes a one-time --code/);

    const report = await provisionWith(target, { deviceId: DEVICE, backend: backend.url, code: backend.code(), force: true });
    expect(report.enrollment).toBe('anew');
    expect(report.files.map((f) => [f.what, f.status])).toEqual([
      ['device key', 'replaced'],
      ['enrollment', 'replaced'],
      ['config', 'unchanged'],
    ]);
    expect(readFileSync(keyFile())).not.toEqual(oldKey);
    expect(backend.receiver.store.device(DEVICE)?.publicKey).toBe(rawPublicKey(readPrivateKeyFile(keyFile()).publicKey));
    expect(mode(keyFile())).toBe(0o600);
  });

  it('a used code (403) changes nothing on disk, on a new device and on an enrolled one', async () => {
    const used = backend.usedCode();
    const first = await refusal(provisionWith(target, { deviceId: 'QV-0001', backend: backend.url, code: used }));
    expect(first.code).toBe(ErrorCode.EnrollmentRefused);
    expect(disk()).toEqual({ state: null, etc: null });

    await provisionWith(target, { deviceId: DEVICE, backend: backend.url, code: backend.code() });
    const enrolled = disk();
    const e = await refusal(provisionWith(target, { deviceId: DEVICE, backend: backend.url, code: used, force: true, vehicle: 'BUS-999' }));
    expect(e.code).toBe(ErrorCode.EnrollmentRefused);
    expect(e.message).toMatch(/^nothing was changed: the enrollment code is unknown or already used \(a code works once\): ask the backend for a new one \(the reference receiver: validator backend --data DIR code\) and run again with --code NEW \(the backend said HTTP 403: /);
    expect(disk()).toEqual(enrolled);
  });

  it('another device id or backend without --force is refused and changes nothing', async () => {
    await provisionWith(target, { deviceId: DEVICE, backend: backend.url, code: backend.code() });
    const enrolled = disk();
    const other = await refusal(provisionWith(target, { deviceId: 'QV-0043', backend: backend.url, code: backend.code() }));
    expect(other.code).toBe(ErrorCode.InvalidState);
    expect(other.message).toMatch(new RegExp(`^nothing was changed: this validator is enrolled as ${DEVICE} with ${backend.url} .*run again with --force and a new --code`));
    const elsewhere = await refusal(provisionWith(target, { deviceId: DEVICE, backend: 'https://backend.example' }));
    expect(elsewhere.message).toMatch(/enrolled as QV-0042 with http:\/\/127\.0\.0\.1:\d+ .*To make it QV-0042 with https:\/\/backend\.example, run again with --force/);
    expect(disk()).toEqual(enrolled);
  });

  it('an unreachable backend, and one that never answers, change nothing and say what to check', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const refused = await refusal(provisionWith(target, { deviceId: DEVICE, backend: closed, code: 'ABCD' }));
    expect(refused.code).toBe(ErrorCode.BackendUnreachable);
    expect(refused.message).toBe(`nothing was changed: nothing answers at ${closed} (connection refused): check the URL's host and port, and that the backend is running`);

    const silent = await silentServer();
    try {
      const timedOut = await refusal(provisionWith(target, { deviceId: DEVICE, backend: silent.url, code: backend.code(), timeout: 0.5 }));
      expect(timedOut.code).toBe(ErrorCode.BackendUnreachable);
      expect(timedOut.message).toBe(`nothing was changed: ${silent.url} did not answer within 0.5 s: check the network, or allow longer with --timeout`);
    } finally {
      await silent.close();
    }
    expect(disk()).toEqual({ state: null, etc: null });
  });

  it('a list fetch that times out names sync.requestTimeoutSeconds, not --timeout (which is the enrollment\'s)', async () => {
    mkdirSync(join(dir.path, 'etc', 'validator'), { recursive: true });
    writeFileSync(target.configFile, JSON.stringify({ sync: { requestTimeoutSeconds: 1 } }));
    const proxy = new FaultProxy(Number(new URL(backend.url).port), (method, url) => (url.includes('/denylist') ? { kind: 'hang' } : { kind: 'pass' }));
    const url = `http://127.0.0.1:${await proxy.listen()}`;
    try {
      const report = await provisionWith(target, { deviceId: DEVICE, backend: url, code: backend.code(), timeout: 30 });
      expect(report.enrollment).toBe('new');
      expect(report.lists.denyList.problem).toBe(`${url} did not answer within 1 s: check the network, or allow longer with sync.requestTimeoutSeconds in ${target.configFile}`);
      expect(report.lists.fares).toMatchObject({ version: 'qom-1404.1', problem: null });
    } finally {
      await proxy.close();
    }
  });

  it.runIf(hasOpenssl())('a backend whose TLS certificate is not trusted changes nothing and says to check the URL and the clock', async () => {
    const tls = await selfSignedServer(join(dir.path, 'tls'));
    try {
      const e = await refusal(provisionWith(target, { deviceId: DEVICE, backend: tls.url, code: 'ABCD' }));
      expect(e.code).toBe(ErrorCode.BackendUnreachable);
      expect(e.message).toMatch(new RegExp(`^nothing was changed: ${tls.url}'s TLS certificate is not trusted \\(DEPTH_ZERO_SELF_SIGNED_CERT\\): check that the URL names the backend, and this device's clock`));
    } finally {
      await tls.close();
    }
    expect(disk()).toEqual({ state: null, etc: null });
  });

  it('refuses bad input before touching anything, every problem at once', async () => {
    const cases: [Parameters<typeof provisionWith>[1], RegExp][] = [
      [{ deviceId: DEVICE, backend: 'backend.example', code: 'C' }, /--backend: backend URL "backend\.example" is not a URL; use e\.g\. https:\/\/backend\.example/],
      [{ deviceId: DEVICE, backend: 'ftp://backend.example', code: 'C' }, /--backend: backend URL ftp:\/\/backend\.example: the backend is reached over https:\/\/ \(or http:\/\/ to a loopback address\), not ftp:/],
      [{ deviceId: DEVICE, backend: 'http://10.1.2.3:8470', code: 'C' }, /--backend: backend URL http:\/\/10\.1\.2\.3:8470: plain http is only allowed to a loopback address; use https:\/\//],
      [{ deviceId: DEVICE, backend: 'https://backend.example/qom/v1', code: 'C' }, /--backend https:\/\/backend\.example\/qom\/v1: only the backend's address is wanted .*e\.g\. https:\/\/backend\.example/],
      [{ deviceId: DEVICE, backend: backend.url, code: 'C', reader: ['/PICC[/'] }, /--reader "\/PICC\[\/": not a valid \/regular expression\//],
      [{ deviceId: 'QV 42', backend: backend.url, code: 'C' }, /--device-id "QV 42": 1 to 32 letters, digits/],
      [{ deviceId: DEVICE, backend: backend.url, code: 'C', display: ['ttyUSB0'] }, /--display "ttyUSB0": an absolute path to the serial device/],
    ];
    for (const [flags, message] of cases) {
      const e = await refusal(provisionWith(target, flags));
      expect(e.code).toBe(ErrorCode.BadRequest);
      expect(e.message).toMatch(/^nothing was changed; one problem with the command:\n {2}- /);
      expect(e.message).toMatch(message);
    }
    const all = await refusal(provisionWith(target, { deviceId: 'QV 42', backend: 'ftp://x', reader: ['/[/'], gps: '/dev/ttyUSB0', display: ['/dev/ttyUSB0'] }));
    expect(all.message).toMatch(/^nothing was changed; 4 problems with the command:/);
    // Ids that would not fit on the card are the config's refusal, before the backend is asked.
    const long = await refusal(provisionWith(target, { deviceId: 'QOM-VALIDATOR-0042', backend: backend.url, code: 'C', vehicle: 'BUS-0000000117' }));
    expect(long.message).toMatch(/^nothing was changed: the config would not start the validator: .*the card holds 28 together/);
    expect(disk()).toEqual({ state: null, etc: null });
    expect(backend.receiver.store.device(DEVICE)).toBeUndefined();
  });

  it('lists that fail after the enrollment: enrolled and configured, the problem said; a run without a code fetches them', async () => {
    let failLists = true;
    const proxy = new FaultProxy(Number(new URL(backend.url).port), (method, url) => (failLists && url.includes('/denylist') ? { kind: 'status', status: 503 } : { kind: 'pass' }));
    const url = `http://127.0.0.1:${await proxy.listen()}`;
    try {
      const report = await provisionWith(target, { deviceId: DEVICE, backend: url, code: backend.code() });
      expect(report.enrollment).toBe('new');
      expect(report.lists.denyList).toMatchObject({ version: 'none', problem: expect.stringMatching(/^the backend answered HTTP 503/) as unknown });
      expect(report.lists.fares).toMatchObject({ version: 'qom-1404.1', problem: null });
      expect(readEnrollment(enrollmentFile())?.deviceId).toBe(DEVICE);

      failLists = false;
      const again = await provisionWith(target, { deviceId: DEVICE, backend: url });
      expect(again.enrollment).toBe('kept');
      expect(again.lists.denyList).toMatchObject({ version: '1', problem: null, changed: true });
    } finally {
      await proxy.close();
    }
  });

  it.runIf(process.getuid?.() === 0)('as root with the service account: state and secrets to the service user, the config to root with its group', async () => {
    const account = { user: 'validator', group: 'validator', uid: 4242, gid: 4343 };
    const report = await provisionWith(target, { deviceId: DEVICE, backend: backend.url, code: backend.code() }, { account, state: { uid: 4242, gid: 4343 }, config: { uid: 0, gid: 4343 } });
    const owner = (p: string): [number, number] => [statSync(p).uid, statSync(p).gid];
    expect([owner(target.stateDir), owner(keyFile()), owner(enrollmentFile()), owner(join(target.stateDir, 'denylist.snapshot')), owner(join(target.stateDir, 'fares', 'qom-1404.1', 'manifest.json'))]).toEqual(
      Array(5).fill([4242, 4343]),
    );
    expect(owner(target.configFile)).toEqual([0, 4343]);
    expect([...owner(join(dir.path, 'etc', 'validator')), mode(join(dir.path, 'etc', 'validator'))]).toEqual([0, 4343, 0o750]);
    expect(report.files.map((f) => f.owner)).toEqual(['validator:validator', 'validator:validator', 'root:validator']);
  });
});

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** An https server on loopback with a certificate nobody signed (openssl makes it). */
async function selfSignedServer(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  mkdirSync(dir, { recursive: true });
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
  const server = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => res.end('{}'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port nothing listens on (bound, then closed). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Accepts connections and never answers. */
async function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
