/** The edge where SQLite's and the filesystem's errors become ValidatorErrors that say how to fix them. */
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ErrorCode, isValidatorError, ValidatorError } from '../domain/errors.ts';

/** `doing` completes "could not ...", e.g. "append a tap". */
export function toJournalError(e: unknown, doing: string, path: string): ValidatorError {
  if (isValidatorError(e)) return e;
  if (e instanceof Database.SqliteError) return fromSqlite(e, doing, path);
  const errno = (e as NodeJS.ErrnoException | null)?.code;
  const detail = e instanceof Error ? e.message : String(e);
  if (typeof errno === 'string') {
    return unavailable(`could not ${doing}: ${detail}. ${fsAdvice(errno, path)}`, e);
  }
  return unavailable(`could not ${doing}: unexpected error from the journal (${detail})`, e);
}

/** True for the failures that make the journal unhealthy (as opposed to a caller's mistake). */
export function isStorageFailure(e: ValidatorError): boolean {
  return e.code === ErrorCode.JournalUnavailable || e.code === ErrorCode.JournalCorrupt;
}

function fromSqlite(e: InstanceType<typeof Database.SqliteError>, doing: string, path: string): ValidatorError {
  const code = e.code;
  const what = `could not ${doing}: ${code} (${e.message})`;
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new ValidatorError(
      ErrorCode.JournalCorrupt,
      `${what}: journal ${path} is damaged. Restart the validator: at open a damaged journal is moved aside ` +
        '(never deleted) and a fresh one continues the sequence.',
      { cause: e },
    );
  }
  if (code === 'SQLITE_FULL') {
    return unavailable(`${what}: the filesystem holding ${dirname(path)} is full. Free space there; synced taps are pruned when space runs low.`, e);
  }
  if (code.startsWith('SQLITE_IOERR')) {
    return unavailable(`${what}: the storage under ${path} failed. Check the device (dmesg) and that the file is still in place; then restart the validator.`, e);
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return unavailable(`${what}: journal ${path} cannot be written. Check that the filesystem is mounted read-write and that the file and ${dirname(path)} are writable by the validator's user.`, e);
  }
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return unavailable(`${what}: cannot open ${path}. Check that ${dirname(path)} exists, is writable by the validator's user, and that the path is not a directory.`, e);
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return unavailable(`${what}: another process holds journal ${path} locked. Only the validator daemon may write the journal; stop the other process.`, e);
  }
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    return new ValidatorError(ErrorCode.BadRequest, `${what}: the journal refused the row`, { cause: e });
  }
  return unavailable(`${what}: unexpected SQLite error on journal ${path}`, e);
}

function fsAdvice(errno: string, path: string): string {
  switch (errno) {
    case 'ENOSPC':
      return `The filesystem holding ${dirname(path)} is full: free space there.`;
    case 'EROFS':
      return 'The filesystem is mounted read-only: remount it read-write.';
    case 'EACCES':
    case 'EPERM':
      return `Make ${dirname(path)} writable by the validator's user.`;
    case 'ENOTDIR':
    case 'EEXIST':
      return `A file is in the way of directory ${dirname(path)}: point the journal path elsewhere or move the file.`;
    default:
      return `Check ${dirname(path)} and the storage device.`;
  }
}

function unavailable(message: string, cause: unknown): ValidatorError {
  return new ValidatorError(ErrorCode.JournalUnavailable, message, { cause });
}
