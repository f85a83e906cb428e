import { ErrorCode, ValidatorError } from '../../src/domain/errors.ts';

/** Rider categories as codes on the card: 7 bits of info byte 11, whose top bit is reserved. */
export const CATEGORY_CODES: Readonly<Record<string, number>> = {
  adult: 1,
  student: 2,
  senior: 3,
  veteran: 4,
};

/** The code of a category id; only known ids are written to cards. */
export function categoryCode(id: string): number {
  const code = CATEGORY_CODES[id];
  if (code === undefined) {
    throw new ValidatorError(
      ErrorCode.BadRequest,
      `rider category "${id}" has no card code; known: ${Object.keys(CATEGORY_CODES).join(', ')}`,
    );
  }
  return code;
}

/**
 * The id of a code read from a card. A code this build does not know still reads: the fare rules reject
 * the category, which says more than an unreadable card would.
 */
export function categoryId(code: number): string {
  return Object.entries(CATEGORY_CODES).find(([, c]) => c === code)?.[0] ?? `unknown-${code}`;
}
