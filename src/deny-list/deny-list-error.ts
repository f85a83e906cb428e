import { ErrorCode, ValidatorError } from '../domain/errors.ts';

/** Why a deny-list import or load failed; the sync client branches on these, never on message text. */
export enum DenyListProblem {
  /** A delta whose base is not the version in force (or that does not fit it): fetch the full list. */
  NeedsFullList = 'NEEDS_FULL_LIST',
  /** The list file is malformed: bad header, bad line, duplicate card, wrong count, truncated gzip. */
  BadList = 'BAD_LIST',
  /** The list file cannot be read (missing, not permitted). */
  Unreadable = 'UNREADABLE',
  /** The snapshot cannot be written (disk full, read-only, I/O error): the list in force stays. */
  WriteFailed = 'WRITE_FAILED',
  /** The snapshot in the state directory is damaged: the validator will not run without its entries. */
  SnapshotDamaged = 'SNAPSHOT_DAMAGED',
  /** Another process changed the snapshot since this one loaded it. */
  ChangedOnDisk = 'CHANGED_ON_DISK',
  /** The store was closed (the validator is stopping) before the import finished: try again later. */
  Cancelled = 'CANCELLED',
  /** A list from the backend whose signature does not verify with the backend key: refused before it is read. */
  BadSignature = 'BAD_SIGNATURE',
}

/** The ValidatorError code each problem travels under (the control socket carries only that code). */
const CODES: Record<DenyListProblem, ErrorCode> = {
  [DenyListProblem.NeedsFullList]: ErrorCode.InvalidState,
  [DenyListProblem.BadList]: ErrorCode.BadRequest,
  [DenyListProblem.Unreadable]: ErrorCode.BadRequest,
  [DenyListProblem.WriteFailed]: ErrorCode.InvalidState,
  [DenyListProblem.SnapshotDamaged]: ErrorCode.ConfigInvalid,
  [DenyListProblem.ChangedOnDisk]: ErrorCode.InvalidState,
  [DenyListProblem.Cancelled]: ErrorCode.InvalidState,
  [DenyListProblem.BadSignature]: ErrorCode.BadRequest,
};

/** A deny-list failure: a ValidatorError whose `problem` says what the caller can do about it. */
export class DenyListError extends ValidatorError {
  constructor(
    readonly problem: DenyListProblem,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(CODES[problem], message, options);
  }
}

/** Type guard; with `problem`, also checks the problem. */
export function isDenyListError(e: unknown, problem?: DenyListProblem): e is DenyListError {
  return e instanceof DenyListError && (problem === undefined || e.problem === problem);
}
