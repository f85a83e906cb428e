/** Brings a journal database up to the schema version of this build, or refuses one from a newer build. */
import type Database from 'better-sqlite3';
import { ErrorCode, ValidatorError } from '../domain/errors.ts';
import type { Migration } from './schema.ts';

/** Reads PRAGMA user_version. */
export function schemaVersion(db: Database.Database): number {
  const v: unknown = db.pragma('user_version', { simple: true });
  return typeof v === 'number' ? v : 0;
}

/** Runs the pending migrations in one immediate transaction; returns the resulting version. */
export function migrate(db: Database.Database, path: string, list: readonly Migration[]): number {
  const latest = list.reduce((v, m) => Math.max(v, m.version), 0);
  return db
    .transaction(() => {
      // Read inside the write lock, so that two processes opening at once cannot both migrate.
      const current = schemaVersion(db);
      if (current > latest) {
        throw new ValidatorError(
          ErrorCode.JournalUnavailable,
          `journal ${path} has schema version ${current}, but this validator only knows versions up to ${latest}: ` +
            'it was written by a newer release. Install that release (or a newer one) again. ' +
            'Do not delete or move the file: it may hold taps that are not synced yet.',
        );
      }
      for (const m of [...list].sort((a, b) => a.version - b.version)) {
        if (m.version <= current) continue;
        m.up(db);
        db.pragma(`user_version = ${m.version}`);
      }
      return Math.max(current, latest);
    })
    .immediate();
}
