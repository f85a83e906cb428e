/** What the figures were measured on. */
import { readFileSync, realpathSync } from 'node:fs';
import { availableParallelism, release } from 'node:os';

export interface Machine {
  readonly nproc: number;
  readonly cpu: string;
  readonly kernel: string;
  readonly node: string;
  /** Filesystem type, device and mount point of a directory. */
  readonly filesystem: { readonly type: string; readonly source: string; readonly mountPoint: string };
}

export function describeMachine(dir: string): Machine {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  return {
    nproc: availableParallelism(),
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    kernel: release(),
    node: process.version,
    filesystem: filesystemOf(dir),
  };
}

/** The mount with the longest mount point that contains the directory, from /proc/self/mountinfo. */
function filesystemOf(dir: string): Machine['filesystem'] {
  const path = realpathSync(dir);
  let best = { type: 'unknown', source: 'unknown', mountPoint: '' };
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [left, right] = line.split(' - ');
    const mountPoint = left?.split(' ')[4];
    const [type, source] = right?.split(' ') ?? [];
    if (mountPoint === undefined || type === undefined) continue;
    const contains = path === mountPoint || path.startsWith(mountPoint === '/' ? '/' : `${mountPoint}/`);
    if (contains && mountPoint.length >= best.mountPoint.length) best = { type, source: source ?? 'unknown', mountPoint };
  }
  return best;
}
