/** The control socket's file: what is already at its path, and putting ours there with mode 0600. */
import { chmod, link, lstat, mkdtemp, rm, unlink } from 'node:fs/promises';
import { createConnection } from 'node:net';
import type { Server } from 'node:net';
import { dirname, join } from 'node:path';

/** What probeSocket found at a path. */
export type SocketProbe =
  | { readonly kind: 'absent' }
  /** A socket file nobody listens on: left by a daemon that was killed. */
  | { readonly kind: 'stale' }
  | { readonly kind: 'live' }
  | { readonly kind: 'not-socket' }
  /** Could not tell (e.g. EACCES): treated like live, since removing a live daemon's socket is the worse mistake. */
  | { readonly kind: 'unknown'; readonly reason: string };

/** Linux's sun_path holds 108 bytes with the terminating NUL. */
export const MAX_SOCKET_PATH_BYTES = 107;

/** What is at `path`: tells a live daemon from a stale socket file by trying to connect. */
export async function probeSocket(path: string, timeoutMs: number): Promise<SocketProbe> {
  try {
    if (!(await lstat(path)).isSocket()) return { kind: 'not-socket' };
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return { kind: 'absent' };
    return { kind: 'unknown', reason: String(e) };
  }
  return new Promise((resolve) => {
    const socket = createConnection(path);
    const done = (probe: SocketProbe): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(probe);
    };
    // A daemon too busy to accept in time is still a daemon.
    const timer = setTimeout(() => done({ kind: 'live' }), timeoutMs);
    socket.once('connect', () => done({ kind: 'live' }));
    socket.once('error', (e) => {
      const code = errnoCode(e);
      if (code === 'ECONNREFUSED') done({ kind: 'stale' });
      else if (code === 'ENOENT') done({ kind: 'absent' });
      else done({ kind: 'unknown', reason: String(e) });
    });
  });
}

/**
 * Binds `server` to a socket that is mode 0600 from the moment it exists, in a fresh mode-0700 directory
 * beside `path`, and returns that temporary socket path; `claimSocket` then puts it at `path`.
 *
 * Why not set the umask around listen(): the umask is process-wide, so a file that the journal or a log
 * writer creates on a libuv thread at that instant would get it too, and process.umask() cannot be set from a
 * worker thread at all. Why not create the socket at `path` and chmod it after: between bind and chmod anyone
 * could connect. In a directory only we can enter, the socket's own mode does not matter until we chmod it.
 */
export async function bindPrivately(server: Server, path: string): Promise<{ tempPath: string; tempDir: string }> {
  const tempDir = await mkdtemp(join(dirname(path), '.c-'));
  const tempPath = join(tempDir, 's');
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(tempPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
    await chmod(tempPath, 0o600);
    return { tempPath, tempDir };
  } catch (e) {
    await rm(tempDir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Gives the bound socket its real name. link() fails with EEXIST rather than replacing what is there, so of two
 * daemons starting at once exactly one wins; rename() would let the second silently take over the first's path.
 * Returns the inode, so that close() removes the file only while it is still ours.
 */
export async function claimSocket(tempPath: string, path: string): Promise<number> {
  await link(tempPath, path);
  return (await lstat(path)).ino;
}

/** Removes `path` if it is still the socket with inode `ino`; anything else there belongs to someone else. */
export async function removeSocketIfOurs(path: string, ino: number): Promise<void> {
  try {
    if ((await lstat(path)).ino === ino) await unlink(path);
  } catch (e) {
    if (errnoCode(e) !== 'ENOENT') throw e;
  }
}

/** Removes a stale socket file; already gone is fine. */
export async function removeStale(path: string): Promise<void> {
  await unlink(path).catch((e: unknown) => {
    if (errnoCode(e) !== 'ENOENT') throw e;
  });
}

/** The errno code of a Node system error (ENOENT, ECONNREFUSED, ...), if it is one. */
export function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}
