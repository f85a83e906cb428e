/** Checks a debit intent before it is journaled, and an outcome before it resolves one. */
import { ErrorCode, ValidatorError } from '../domain/errors.ts';
import { Reason } from '../domain/reasons.ts';
import { checkTapFields } from './check-tap-fields.ts';
import type { DebitIntent, TapFields } from './types.ts';

/** Returns a clean copy of the intent, or throws BadRequest naming every problem. */
export function checkIntent(value: DebitIntent): DebitIntent {
  const problems: string[] = [];
  const { id, createdAt, cardUid, counterBefore, counterAfter } = value as Partial<Record<keyof DebitIntent, unknown>>;
  if (typeof id !== 'string' || id === '') problems.push('id must be a non-empty string');
  if (!Number.isSafeInteger(createdAt) || (createdAt as number) < 0) problems.push('createdAt must be epoch milliseconds');
  if (typeof cardUid !== 'string' || cardUid === '') problems.push('cardUid must be a non-empty string');
  if (!Number.isSafeInteger(counterBefore) || (counterBefore as number) < 0) problems.push('counterBefore must be a non-negative integer');
  if (!Number.isSafeInteger(counterAfter) || (counterAfter as number) <= (counterBefore as number)) {
    problems.push('counterAfter must be an integer above counterBefore');
  }
  if (problems.length > 0) throw badRequest(`debit intent cannot be journaled: ${problems.join('; ')}`);

  const tap = checkTapFields(value.tap, `the tap of debit intent ${value.id}`);
  if (tap.intentId !== value.id) throw badRequest(`the tap of debit intent ${value.id} must have intentId ${value.id}, not ${tap.intentId}`);
  if (tap.cardUid !== value.cardUid) throw badRequest(`the tap of debit intent ${value.id} is for card ${tap.cardUid}, not ${value.cardUid}`);
  // A purse write is a boarding, a top-up or a block; only a block is a refused tap.
  const blockWrite = tap.reason === (Reason.BlockWritten as string);
  if (tap.result !== (blockWrite ? 'rejected' : 'accepted')) {
    throw badRequest(`the tap of debit intent ${value.id} must be "${blockWrite ? 'rejected' : 'accepted'}", not "${tap.result}"`);
  }
  return { id: value.id, createdAt: value.createdAt, cardUid: value.cardUid, counterBefore: value.counterBefore, counterAfter: value.counterAfter, tap };
}

/** Checks that an outcome record can resolve the intent with this id, for this card. */
export function checkOutcome(intentId: string, cardUid: string, outcome: TapFields): void {
  if (outcome.cardUid !== cardUid) {
    throw badRequest(`the outcome of debit intent ${intentId} is for card ${outcome.cardUid}, not ${cardUid}`);
  }
}

function badRequest(message: string): ValidatorError {
  return new ValidatorError(ErrorCode.BadRequest, message);
}
