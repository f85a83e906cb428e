import type { DenyAction } from '../domain/deny-list.ts';
import { DenyListError, DenyListProblem } from './deny-list-error.ts';
import { KeyRuns, type SortedKeys } from './key-runs.ts';
import type { ListHeader } from './list-header.ts';
import type { ImportProgressListener } from './import-progress.ts';
import { readListFile, type ListFileFacts } from './read-list-file.ts';

/** Reason-and-action pairs one file may use; reasons are codes (lost, stolen, fraud, debt), not free text. */
export const MAX_GROUPS = 256;
/** The group a delta's removes are collected in. */
export const REMOVES = MAX_GROUPS;

/** A list file read and sorted, ready to be merged with the list in force. */
export interface ReadImport {
  readonly header: ListHeader;
  readonly facts: ListFileFacts;
  /** The file's cards in key order; each in group REMOVES or in the group of its reason and action. */
  readonly sorted: SortedKeys;
  readonly groups: readonly (readonly [reason: string, action: DenyAction])[];
}

/**
 * Reads a list file for a list whose version is `currentVersion`. Refuses a delta on another base
 * (NeedsFullList) as soon as the header is read; returns null for a delta to the version already in force.
 */
export async function readImport(file: string, currentVersion: string, onProgress?: ImportProgressListener): Promise<ReadImport | null> {
  const runs = new KeyRuns();
  const groups: (readonly [string, DenyAction])[] = [];
  // Group of each reason, one map per action: no string is made per line to find it.
  const groupIds = { reject: new Map<string, number>(), block: new Map<string, number>() };
  // Set by the callbacks; an object, so that the compiler does not assume they never ran.
  const seen: { header: ListHeader | null; alreadyCurrent: boolean } = { header: null, alreadyCurrent: false };

  const facts = await readListFile(file, {
    header: (h) => {
      seen.header = h;
      if (h.kind === 'full') return;
      if (h.version === currentVersion) {
        seen.alreadyCurrent = true;
        throw STOP;
      }
      if (h.baseVersion !== currentVersion) {
        throw new DenyListError(
          DenyListProblem.NeedsFullList,
          `${file} is a delta from version ${h.baseVersion} to ${h.version}, but the list in force is version ${currentVersion}: needs full list`,
        );
      }
    },
    entry: (line, lineNumber) => {
      if (line.op === 'remove') {
        if (seen.header?.kind === 'full') {
          throw new DenyListError(DenyListProblem.BadList, `${file} line ${lineNumber}: a full list only adds cards; "remove" belongs in a delta`);
        }
        runs.add(REMOVES, line.key[0] ?? 0, line.key[1] ?? 0);
        return;
      }
      const ids = groupIds[line.action];
      let group = ids.get(line.reason);
      if (group === undefined) {
        if (groups.length === MAX_GROUPS) {
          throw new DenyListError(
            DenyListProblem.BadList,
            `${file} line ${lineNumber}: more than ${MAX_GROUPS} different reason and action pairs; reasons are codes (lost, stolen, fraud, debt), not free text`,
          );
        }
        group = groups.length;
        groups.push([line.reason, line.action]);
        ids.set(line.reason, group);
      }
      runs.add(group, line.key[0] ?? 0, line.key[1] ?? 0);
    },
    progress: (done, total) => onProgress?.({ phase: 'reading', done, total }),
  }).catch((e: unknown) => {
    if (e === STOP && seen.alreadyCurrent) return null;
    throw e;
  });
  if (facts === null) return null;
  return { header: facts.header, facts, sorted: runs.sortedRuns(), groups };
}

/** Thrown by the header callback to stop reading a delta the list already has. */
const STOP = new Error('deny-list delta already applied');
