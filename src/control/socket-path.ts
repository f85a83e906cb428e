import { join } from 'node:path';

/** The control socket's file name inside the state directory. */
export const CONTROL_SOCKET_NAME = 'control.sock';

/** Where the daemon with this state directory listens, and where the CLI calls it. */
export function controlSocketPath(stateDir: string): string {
  return join(stateDir, CONTROL_SOCKET_NAME);
}
