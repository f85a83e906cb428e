/** The deny list (its seal checked) and the fare bundles, as the daemon would load them at start. */
import { age } from '../diagnosis/judge-status.ts';
import { readDenyListFacts, readFareFacts } from '../diagnosis/state-on-disk.ts';
import { NO_LIST_VERSION } from '../../deny-list/load-deny-list.ts';
import { fail, pass, skip, type Check } from './check.ts';

const IMPORT = 'validator sync now (the backend sends it), or validator denylist import FILE';

export const checkDenyList: Check = (ctx) => {
  const name = 'deny list';
  // The list files are replaced whole (temp file, rename), so reading them beside a running daemon is safe.
  const read = readDenyListFacts(ctx.paths.stateDir);
  // The backend check asks since this version: a whole list is not read and hashed a second time for it.
  ctx.found.denyListVersion = read.ok ? read.value.version : NO_LIST_VERSION;
  if (!read.ok) return [fail(name, read.problem, 'move the damaged files aside and import the current full list: validator denylist import FILE')];
  const list = read.value;
  if (list.version === NO_LIST_VERSION) {
    if (ctx.mode === 'simulation') return [skip(name, 'none yet in this simulation')];
    return [fail(name, 'no deny list: every card passes the deny-list check', IMPORT)];
  }
  const applied = list.appliedAt === null ? 'applied: unknown (a list of the first slice)' : `applied ${new Date(list.appliedAt).toISOString()}, ${age((Date.now() - list.appliedAt) / 1000)} ago`;
  const running = ctx.daemon && ctx.daemon.denyList.version !== list.version ? `; the running validator still has ${ctx.daemon.denyList.version}` : '';
  return [pass(name, `version ${list.version}, ${list.entries} card${list.entries === 1 ? '' : 's'}, seal (SHA-256) verified, ${applied}${running}`)];
};

export const checkFares: Check = (ctx) => {
  const name = 'fares';
  const now = Date.now();
  const read = readFareFacts(ctx.config, ctx.paths, ctx.mode === 'simulation', now);
  if (!read.ok) return [fail(name, read.problem, 'put a bundle that passes validator fares check DIR in place, or let sync fetch it (validator sync now)')];
  const f = read.value;
  if (f.effectiveFrom === null) {
    const next = f.next === null ? '' : `; ${f.next.version} takes effect ${f.next.effectiveFrom}`;
    return [fail(name, `no fare bundle in force now: every tap is refused (NO_FARE)${next}`, 'let sync fetch the current bundle (validator sync now), or set fares.bundle')];
  }
  const since = `${age((now - Date.parse(f.effectiveFrom)) / 1000)} ago`;
  const next = f.next === null ? '' : `; next ${f.next.version} from ${f.next.effectiveFrom}`;
  return [pass(name, `version ${f.version} loads and passes its checks, in force since ${f.effectiveFrom} (${since})${next}`)];
};
