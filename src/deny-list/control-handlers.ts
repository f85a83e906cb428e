import { isAbsolute } from 'node:path';
import type { ControlHandlers } from '../control/dispatch.ts';
import { ErrorCode, ValidatorError } from '../domain/errors.ts';
import type { DenyListStore } from './deny-list-store.ts';
import { depotListFile } from './verified-list.ts';

/** The control method name `validator denylist import` calls on a running daemon. */
export const IMPORT_METHOD = 'denylist.import';
/** How far the running import has got (ImportProgress), or null: what the CLI polls while it waits. */
export const PROGRESS_METHOD = 'denylist.progress';

/**
 * The deny-list methods of the control socket, for the composition root to add to the daemon's handlers:
 * `denylist.import {file}` applies a list file (absolute path, read by the daemon) and answers its ImportSummary;
 * `denylist.progress` answers how far it has got.
 */
export function denyListControlHandlers(store: DenyListStore): ControlHandlers {
  return {
    [IMPORT_METHOD]: async (params) => {
      const file = (params as { file?: unknown } | null)?.file;
      if (typeof file !== 'string' || !isAbsolute(file)) {
        throw new ValidatorError(ErrorCode.BadRequest, `${IMPORT_METHOD} needs {"file": an absolute path}, not ${JSON.stringify(params)}`);
      }
      return store.apply(depotListFile(file));
    },
    [PROGRESS_METHOD]: () => Promise.resolve(store.importProgress),
  };
}
