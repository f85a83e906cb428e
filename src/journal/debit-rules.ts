/** The two halves of a debit, each run inside its write transaction: what makes "none counted twice" hold. */
import Database from 'better-sqlite3';
import { ErrorCode, ValidatorError } from '../domain/errors.ts';
import { checkOutcome } from './check-intent.ts';
import type { IntentStore } from './intent-store.ts';
import type { TapStore } from './tap-store.ts';
import type { DebitIntent, TapFields, TapRecord } from './types.ts';

/** Stores a checked intent; refuses a reused id (BadRequest) or a second open intent for the card (InvalidState). */
export function beginDebitInTx(intents: IntentStore, intent: DebitIntent): void {
  try {
    intents.insert(intent);
  } catch (e) {
    // The primary key and the one-open-intent-per-card index refuse the row; only now find out which,
    // so that the usual path costs a single insert.
    if (!(e instanceof Database.SqliteError) || !e.code.startsWith('SQLITE_CONSTRAINT')) throw e;
    if (intents.state(intent.id) !== undefined) {
      throw new ValidatorError(ErrorCode.BadRequest, `debit intent id ${intent.id} is already in the journal`, { cause: e });
    }
    const open = intents.openIdFor(intent.cardUid);
    if (open === undefined) throw e;
    throw new ValidatorError(
      ErrorCode.InvalidState,
      `card ${intent.cardUid} already has open debit intent ${open}: resolve it (the card's counter says whether it was applied) before another debit`,
      { cause: e },
    );
  }
}

/** Appends the outcome and closes the intent; throws (so the transaction writes nothing) unless the intent is open. */
export function resolveDebitInTx(taps: TapStore, intents: IntentStore, intentId: string, outcome: TapFields, now: number): TapRecord {
  const stored = intents.state(intentId);
  if (stored === undefined) {
    throw new ValidatorError(ErrorCode.BadRequest, `there is no debit intent ${intentId} to resolve`);
  }
  if (stored.resolvedSeq !== null) {
    throw new ValidatorError(ErrorCode.InvalidState, `debit intent ${intentId} was already resolved by record ${stored.resolvedSeq}`);
  }
  checkOutcome(intentId, stored.cardUid, outcome);
  const record = taps.insert(outcome);
  // Guarded by `resolved_seq IS NULL` as well: the update itself can only close an open intent.
  if (!intents.resolve(intentId, record.seq, now)) {
    throw new ValidatorError(ErrorCode.InvalidState, `debit intent ${intentId} was resolved concurrently`);
  }
  return record;
}
