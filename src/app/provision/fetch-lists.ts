/**
 * Provisioning's first deny list and fare bundle, with the new identity, through the pulls and the ListSink
 * the daemon's sync rounds use (sync/client/list-pull.ts, src/app/sync-lists.ts): the device can decide taps
 * before it is ever online again.
 */
import type { Config } from '../../config/schema.ts';
import { DenyListStore } from '../../deny-list/deny-list-store.ts';
import { NO_LIST_VERSION } from '../../deny-list/load-deny-list.ts';
import { systemClock } from '../../domain/time.ts';
import { NO_BUNDLE_VERSION } from '../../fares/scheduled-fare-policy.ts';
import { SwappableFarePolicy } from '../../fares/swappable-fare-policy.ts';
import { silentLogger } from '../../log/logger.ts';
import type { Enrollment } from '../../../sync/client/enrollment.ts';
import { DENY_LIST, FARE_BUNDLE, pullList, type ListPull, type ListPullDeps, type PulledList } from '../../../sync/client/list-pull.ts';
import { replyError, type DownloadProgress } from '../../../sync/client/transport.ts';
import { backendUnreachable } from '../../../sync/client/unreachable.ts';
import type { KeyPair } from '../../../sync/contract/keys.ts';
import { bundleDirsIn } from '../fare-bundle-dirs.ts';
import { fareSchedule } from '../fare-schedule.ts';
import type { Paths } from '../paths.ts';
import { syncTransport } from '../start-sync.ts';

/** Deltas applied one a request (docs/sync-protocol.md); a backend still sending more after this many is not converging. */
const MAX_DENY_LIST_PULLS = 50;

/** One list after the fetch: what the device holds, whether this fetch changed it, and why not when it failed. */
export interface ListState {
  readonly version: string;
  /** The backend has none published (or the device holds none and could not fetch one). */
  readonly none: boolean;
  readonly changed: boolean;
  /** Why the fetch failed; null when the device holds what the backend has. */
  readonly problem: string | null;
  /** Deny list: cards listed. */
  readonly entries?: number;
}

export interface FetchedLists {
  readonly denyList: ListState;
  readonly fares: ListState;
}

export interface FetchListsOptions {
  readonly config: Config;
  readonly paths: Paths;
  readonly enrollment: Enrollment;
  readonly key: KeyPair;
  /** Called as each download starts; its result hears the bytes received. */
  readonly onDownload: (what: 'deny list' | 'fare bundle') => { progress: DownloadProgress; done(message: string): void };
}

/** Pulls the deny list until current and the newest fare bundle; never throws for the backend's sake. */
export async function fetchLists(options: FetchListsOptions): Promise<FetchedLists> {
  const { config, paths, enrollment } = options;
  const denyList = DenyListStore.open({ stateDir: paths.stateDir, clock: systemClock, log: silentLogger });
  try {
    const fares = new SwappableFarePolicy(fareSchedule(bundleDirsIn(paths.fareBundle), config, systemClock));
    // provision's --timeout is the enrollment's; the lists wait what the daemon's rounds wait (the config's).
    const sync = syncTransport(config, paths, enrollment, options.key.privateKey);
    const lists = sync.lists(denyList, fares);
    const deps: ListPullDeps = { transport: sync.transport, lists, backendKey: sync.backendKey, deviceId: enrollment.deviceId };
    const unreachable = (e: unknown): string => backendUnreachable(e, sync.backendUrl, sync.timeout).message;

    const denyStart = lists.denyListVersion();
    let denyProblem: string | null = null;
    for (let pulls = 0; ; pulls++) {
      if (pulls === MAX_DENY_LIST_PULLS) {
        denyProblem = `the backend still had a newer deny list after ${pulls} in a row`;
        break;
      }
      const pulled = await pull(DENY_LIST, options, deps, unreachable);
      if (pulled.kind === 'current') break;
      if (pulled.kind !== 'applied') {
        denyProblem = pulled.problem;
        break;
      }
    }
    const faresStart = lists.faresVersion();
    const faresPulled = await pull(FARE_BUNDLE, options, deps, unreachable);
    await denyList.idle();
    return {
      denyList: {
        version: denyList.version,
        none: denyList.version === NO_LIST_VERSION,
        changed: denyList.version !== denyStart,
        problem: denyProblem,
        entries: denyList.size,
      },
      fares: {
        version: lists.faresVersion(),
        none: lists.faresVersion() === NO_BUNDLE_VERSION,
        changed: lists.faresVersion() !== faresStart,
        problem: faresPulled.kind === 'current' || faresPulled.kind === 'applied' ? null : faresPulled.problem,
      },
    };
  } finally {
    await denyList.close();
  }
}

type Pulled = Exclude<ListPull, { kind: 'failed' | 'refused' }> | { readonly kind: 'problem'; readonly problem: string };

/** One pull with its download shown; an HTTP failure or no answer becomes a problem in words. */
async function pull(list: PulledList, options: FetchListsOptions, deps: ListPullDeps, unreachable: (e: unknown) => string): Promise<Pulled> {
  const shown = options.onDownload(list.label);
  let pulled: ListPull;
  try {
    pulled = await pullList(list, { ...deps, onProgress: shown.progress });
  } catch (e) {
    const problem = unreachable(e);
    shown.done(`failed: ${problem}`);
    return { kind: 'problem', problem };
  }
  switch (pulled.kind) {
    case 'current':
      shown.done(`version ${pulled.version} is the newest`);
      return pulled;
    case 'applied':
      shown.done(`version ${pulled.version} taken (was ${pulled.previous})`);
      return pulled;
    case 'refused':
      shown.done(pulled.problem);
      return { kind: 'problem', problem: pulled.problem };
    case 'failed': {
      const said = replyError(pulled.reply);
      const problem = `the backend answered HTTP ${pulled.reply.status}${said === null ? '' : `: ${said}`}`;
      shown.done(`failed: ${problem}`);
      return { kind: 'problem', problem };
    }
  }
}
