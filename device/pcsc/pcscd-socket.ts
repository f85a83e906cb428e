import { statSync } from 'node:fs';
import { connect } from 'node:net';

/** Where libpcsclite finds pcscd: $PCSCLITE_CSOCK_NAME, else Debian's default. */
export function defaultPcscdSocket(env: NodeJS.ProcessEnv = process.env): string {
  return env.PCSCLITE_CSOCK_NAME ?? '/run/pcscd/pcscd.comm';
}

/**
 * Whether pcscd accepts connections on its socket. The PC/SC binding's constructor retries
 * SCardEstablishContext in a busy loop while pcscd is down, freezing the event loop, so nothing may
 * construct it before this says yes.
 */
export function pcscdAccepts(socketPath: string, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ path: socketPath });
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Which pcscd owns the socket: its file's inode and change time, or null when there is no socket file.
 * Every pcscd creates the file anew, so a restart changes this even when nothing else shows it.
 */
export function pcscdSocketIdentity(socketPath: string): string | null {
  try {
    const s = statSync(socketPath, { bigint: true });
    return `${s.dev}:${s.ino}:${s.ctimeNs}`;
  } catch {
    return null;
  }
}
