/** The files provisioning writes: durably, with their mode and owner, and as the report shows them. */
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { syncDirectorySync, writeFileDurably, type FileOwner } from '../../fs/durable-file.ts';
import type { Ownership } from './service-account.ts';

export const STATE_DIR_MODE = 0o700;
export const CONFIG_MODE = 0o640;
/** As the unit's ConfigurationDirectory= and systemd/install.sh make it: root, readable by the service's group. */
export const CONFIG_DIR_MODE = 0o750;

export interface FileReport {
  readonly what: string;
  readonly path: string;
  /** new, replaced, unchanged or kept (the existing one reused). */
  readonly status: 'new' | 'replaced' | 'unchanged' | 'kept';
  readonly mode: number;
  readonly owner: string | null;
}

/** Writes a file durably unless it already holds `text` with the mode and owner asked for. */
export async function replaceFile(what: string, path: string, text: string, mode: number, owner: FileOwner | null, ownership: Ownership | null, current?: string): Promise<FileReport> {
  const existed = existsSync(path);
  if (existed && current === text && fileMatches(path, mode, owner)) return report(what, path, 'unchanged', ownership);
  await writeFileDurably(path, text, { mode, owner });
  return report(what, path, existed ? 'replaced' : 'new', ownership);
}

function fileMatches(path: string, mode: number, owner: FileOwner | null): boolean {
  const stat = statSync(path);
  return (stat.mode & 0o777) === mode && (owner === null || (stat.uid === owner.uid && stat.gid === owner.gid));
}

/** A file as the report shows it: its status, mode, and owner by name. */
export function report(what: string, path: string, status: FileReport['status'], ownership: Ownership | null): FileReport {
  const stat = statSync(path);
  const owner = ownership ? `${stat.uid === 0 ? 'root' : stat.uid === ownership.account.uid ? ownership.account.user : String(stat.uid)}:${stat.gid === ownership.account.gid ? ownership.account.group : String(stat.gid)}` : null;
  return { what, path, status, mode: stat.mode & 0o777, owner };
}

/** The state directory: made when missing, mode 0700 and the service's own when provisioning as root. */
export function stateDirectory(dir: string, owner: FileOwner | null): void {
  makeDirectory(dir, STATE_DIR_MODE, owner);
  chmodSync(dir, STATE_DIR_MODE);
  if (owner) chownSync(dir, owner.uid, owner.gid);
}

/** Makes a missing directory and its missing parents, durably; directories already there are left as they are. */
export function makeDirectory(dir: string, mode: number, owner: FileOwner | null): void {
  if (existsSync(dir)) return;
  const first = mkdirSync(dir, { recursive: true, mode }) ?? dir;
  if (owner) chownSync(dir, owner.uid, owner.gid);
  // Each new directory's name is durable only once its parent is synced.
  for (let made = dir; made !== dirname(first); made = dirname(made)) syncDirectorySync(dirname(made));
}

/** The service owns everything in its state directory: the lists the fetch wrote, an older journal. */
export function chownTree(dir: string, owner: FileOwner): void {
  chownSync(dir, owner.uid, owner.gid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) chownTree(path, owner);
    else if (!lstatSync(path).isSymbolicLink()) chownSync(path, owner.uid, owner.gid);
  }
}
