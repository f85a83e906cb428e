import { spawn, spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { defaultPcscdSocket, pcscdAccepts } from '../../device/pcsc/pcscd-socket.ts';
import { VPCD_BASE_PORT, VPCD_HOST, VPCD_REMOVAL_MS } from '../../device/sim/vpcd-card.ts';

/**
 * The real PC/SC stack for tests: pcscd with the vsmartcard vpcd driver, whose readers "Virtual PCD 00 00"
 * and "Virtual PCD 00 01" take virtual cards on TCP ports 35963 and 35964 (device/sim/vpcd-card.ts).
 *
 * A pcscd that already runs is used as it is. Otherwise one is started (`pcscd -f -a`, root only) and left
 * running, as the system's would be; its log is in $TMPDIR/qom-pcscd.log. Only stopPcscd() and
 * restartPcscd() take a pcscd down, whoever started it: the tests of unplugging and of a pcscd restart.
 */

export type PcscdAvailability = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** The vpcd readers, by index. */
export const VPCD_READERS = 2;

/**
 * A loopback address for the virtual cards alone, whose route has quickack set. vpcd sends a frame's
 * length and its payload in two writes on a socket with Nagle on; with delayed ACKs on the card's side,
 * every APDU then waits 40 ms for the payload (a tap: over half a second). Acking at once on this one
 * address takes an APDU to under a millisecond and touches no other traffic.
 */
export const FAST_VPCD_HOST = '127.0.0.35';
let cardHost: string | null = null;
const PCSCD_LOG = join(tmpdir(), 'qom-pcscd.log');
const LOCK_FILE = join(tmpdir(), 'qom-validator-pcsc.lock');
const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
const LOCK_TIMEOUT_MS = 180_000;

/** The PC/SC name vpcd gives reader `index`. */
export function vpcdReaderName(index: number): string {
  return `Virtual PCD 00 ${String(index).padStart(2, '0')}`;
}

/** The TCP port of vpcd reader `index`. */
export function vpcdPort(index: number): number {
  return VPCD_BASE_PORT + index;
}

/**
 * Where virtual cards should connect to vpcd: FAST_VPCD_HOST once its quickack route is in place (root
 * adds it, `ip route replace`, idempotent), else 127.0.0.1, which works at 40 ms an APDU.
 */
export function vpcdHost(): string {
  if (cardHost) return cardHost;
  const route = ['route', 'replace', 'local', `${FAST_VPCD_HOST}/32`, 'dev', 'lo', 'table', 'local', 'quickack', '1'];
  const ip = process.getuid?.() === 0 ? spawnSync('ip', route, { encoding: 'utf8' }) : null;
  if (ip?.status === 0) {
    cardHost = FAST_VPCD_HOST;
  } else {
    console.warn(`virtual cards use 127.0.0.1 at 40 ms an APDU: no quickack route for ${FAST_VPCD_HOST} (${ip ? ip.stderr.trim() || ip.error?.message : 'not root'})`);
    cardHost = VPCD_HOST;
  }
  return cardHost;
}

/** Makes sure a pcscd with vpcd runs, starting one when it can; says why not when it cannot. */
export async function ensurePcscd(): Promise<PcscdAvailability> {
  const running = pcscdPids();
  if (running.length > 0) {
    if (await stackUp(5_000)) return { ok: true };
    return {
      ok: false,
      reason:
        `pcscd runs (pid ${running.join(', ')}) but vpcd does not listen on ports ${vpcdPort(0)}-${vpcdPort(VPCD_READERS - 1)}: ` +
        'install vsmartcard-vpcd and restart pcscd',
    };
  }
  const cannot = cannotStart();
  if (cannot) return { ok: false, reason: cannot };
  try {
    await startPcscd();
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

/**
 * For a test file's top level (`const describeStack = await requirePcscd()`): a `describe` whose suite
 * runs with pcscd and vpcd, holding the stack for itself (lockRealStack). Without pcscd the suite is
 * skipped, its title saying why; under CI=true it fails instead, with the reason.
 */
export async function requirePcscd(): Promise<(name: string, suite: () => void) => void> {
  const availability = await ensurePcscd();
  if (availability.ok) {
    return (name, suite) =>
      describe(name, () => {
        let release: (() => void) | null = null;
        beforeAll(async () => {
          release = await lockRealStack();
        }, LOCK_TIMEOUT_MS + 5_000);
        afterAll(() => release?.());
        suite();
      });
  }
  const { reason } = availability;
  if (process.env.CI === 'true') {
    return (name) =>
      describe(name, () => {
        it('needs pcscd with vsmartcard-vpcd (CI=true: not skipped)', () => {
          throw new Error(`the real PC/SC stack is not available: ${reason}`);
        });
      });
  }
  console.warn(`real PC/SC tests skipped: ${reason}`);
  return (name, suite) => describe.skip(`${name} (skipped: ${reason})`, suite);
}

/** Starts `pcscd -f -a` (detached; it outlives the tests) and resolves once its socket and vpcd accept. */
export async function startPcscd(): Promise<void> {
  const cannot = cannotStart();
  if (cannot) throw new Error(cannot);
  const log = openSync(PCSCD_LOG, 'w');
  try {
    const child = spawn(pcscdPath()!, ['-f', '-a'], { detached: true, stdio: ['ignore', log, log] });
    const failure: { why: string | null } = { why: null };
    child.once('exit', (code, signal) => (failure.why = `exited (${signal ?? code}) while starting; see ${PCSCD_LOG}`));
    child.once('error', (e) => (failure.why = `could not run: ${e.message}`));
    child.unref();
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (failure.why) throw new Error(`pcscd ${failure.why}`);
      if (await stackUp(0)) return;
      await delay(50);
    }
    throw new Error(`pcscd did not open its socket and the vpcd ports within ${START_TIMEOUT_MS} ms; see ${PCSCD_LOG}`);
  } finally {
    closeSync(log);
  }
}

/** Stops every running pcscd (SIGTERM, SIGKILL after 5 s): for the unplug and restart tests only. */
export async function stopPcscd(): Promise<void> {
  const pids = pcscdPids();
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (pcscdPids().length > 0) {
    if (Date.now() > deadline) {
      for (const pid of pcscdPids()) signal(pid, 'SIGKILL');
    }
    await delay(20);
  }
  while (listeningPorts().has(vpcdPort(0)) && Date.now() < deadline + STOP_TIMEOUT_MS) await delay(20);
}

/** Stops pcscd and starts a new one. */
export async function restartPcscd(): Promise<void> {
  await stopPcscd();
  await startPcscd();
}

/**
 * Takes the PC/SC stack for this process alone: one file lock for both vpcd readers and pcscd itself,
 * so that test files of other vitest runs (or other engineers' test files) never insert a card into a
 * reader in use, nor restart pcscd under one. Waits for the holder; a dead holder's lock is taken over.
 * Returns the release function.
 */
export async function lockRealStack(timeoutMs = LOCK_TIMEOUT_MS): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(LOCK_FILE, 'wx');
      writeFileSync(fd, `${process.pid}\n`);
      closeSync(fd);
      // The last holder may have taken a card out just now: let pcscd see the readers empty first.
      await delay(VPCD_REMOVAL_MS);
      let held = true;
      return () => {
        if (!held) return;
        held = false;
        if (lockHolder() === process.pid) unlinkSync(LOCK_FILE);
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = lockHolder();
    if (holder === null || holder === process.pid || !alive(holder)) {
      // Left by a process that died (or by this one, in a test file that never released it).
      try {
        unlinkSync(LOCK_FILE);
      } catch {
        // Another waiter took it over first.
      }
      continue;
    }
    if (Date.now() > deadline) throw new Error(`process ${holder} has held the PC/SC test stack (${LOCK_FILE}) for over ${timeoutMs} ms`);
    await delay(100);
  }
}

/** Why this process cannot start pcscd, or null when it can. */
function cannotStart(): string | null {
  if (!pcscdPath()) return 'pcscd is not installed: apt-get install pcscd vsmartcard-vpcd (scripts/setup.mjs does, as root)';
  if (process.getuid?.() !== 0) return 'pcscd is not running, and only root can start it: run `sudo pcscd -f -a`';
  return null;
}

/** pcscd's socket accepts and both vpcd ports listen, within `waitMs`. */
async function stackUp(waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const ports = listeningPorts();
    const vpcd = Array.from({ length: VPCD_READERS }, (_, i) => ports.has(vpcdPort(i))).every(Boolean);
    if (vpcd && (await pcscdAccepts(defaultPcscdSocket()))) return true;
    if (Date.now() >= deadline) return false;
    await delay(50);
  }
}

/**
 * TCP ports in LISTEN state, from /proc/net/tcp{,6}. Read rather than probed: connecting to a vpcd port
 * would insert a card.
 */
function listeningPorts(): Set<number> {
  const ports = new Set<number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state === '0A' && local) ports.add(Number.parseInt(local.split(':').pop()!, 16));
    }
  }
  return ports;
}

/** Live (not zombie) pcscd processes. */
function pcscdPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ...": comm may hold spaces, so read around the parentheses.
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (comm === 'pcscd' && state !== 'Z') pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

function lockHolder(): number | null {
  try {
    const pid = Number.parseInt(readFileSync(LOCK_FILE, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** pcscd's executable: on PATH, or in sbin (not on a normal user's PATH). */
function pcscdPath(): string | null {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin']) {
    const path = join(dir, 'pcscd');
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // Not here.
    }
  }
  return null;
}
