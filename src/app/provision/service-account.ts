/**
 * Who the files belong to. The service runs as the system user `validator` (group `validator`); provisioning
 * runs as root, and hands the state and secrets to that user and the config to root with that group.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { FileOwner } from '../../fs/durable-file.ts';

export const SERVICE_USER = 'validator';
export const SERVICE_GROUP = 'validator';

export interface ServiceAccount {
  readonly user: string;
  readonly group: string;
  readonly uid: number;
  readonly gid: number;
}

/** The owners provisioning gives its files; null: each file keeps the owner of the process that made it. */
export interface Ownership {
  readonly account: ServiceAccount;
  /** State directory, device key, enrollment, lists: the service's user and group. */
  readonly state: FileOwner;
  /** The config file: root, readable by the service's group. */
  readonly config: FileOwner;
}

/** When this process is root and the service's user exists: who owns what. Otherwise null. */
export function serviceOwnership(lookup: (database: 'passwd' | 'group', name: string) => string | null = getent): Ownership | null {
  if (process.getuid?.() !== 0) return null;
  const user = lookup('passwd', SERVICE_USER);
  if (user === null) return null;
  const account = parseAccount(user, lookup('group', SERVICE_GROUP));
  if (account === null) return null;
  return { account, state: { uid: account.uid, gid: account.gid }, config: { uid: 0, gid: account.gid } };
}

/** From a passwd line ("validator:x:998:998:…") and the group's line, when there is one. */
export function parseAccount(passwdLine: string, groupLine: string | null): ServiceAccount | null {
  const [user, , uid, primaryGid] = passwdLine.trim().split(':');
  const [group, , gid] = groupLine?.trim().split(':') ?? [];
  const numbers = [Number(uid), Number(gid ?? primaryGid)];
  if (user === undefined || !numbers.every((n) => Number.isSafeInteger(n) && n >= 0)) return null;
  return { user, group: group ?? user, uid: numbers[0]!, gid: numbers[1]! };
}

/** One entry through NSS (getent), or from /etc/passwd and /etc/group where there is no getent. */
function getent(database: 'passwd' | 'group', name: string): string | null {
  try {
    return execFileSync('getent', [database, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (e) {
    // getent exits 2 for "no such entry"; a missing getent is ENOENT.
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return null;
  }
  const line = readFileSync(`/etc/${database}`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  return line ?? null;
}
