import type { Config } from '../config/schema.ts';
import type { Clock } from '../domain/time.ts';
import { openJournal } from '../journal/open-journal.ts';
import type { SqliteTapJournal } from '../journal/sqlite-tap-journal.ts';
import type { Logger } from '../log/logger.ts';

const MIB = 1024 * 1024;

/** The state directory's tap journal with the config's disk and retention limits: the daemon's, or the depot's. */
export function openStateJournal(config: Config, path: string, clock: Clock, log: Logger): SqliteTapJournal {
  return openJournal({
    path,
    clock,
    log,
    minFreeBytes: config.journal.minFreeMiB * MIB,
    retentionMs: config.journal.retentionDays * 86_400_000,
    pruneWhenFreeBelowBytes: config.journal.pruneWhenFreeBelowMiB * MIB,
  });
}
