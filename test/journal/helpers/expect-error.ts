/** Asserts that a call throws a ValidatorError with a code, and optionally a message matching a pattern. */
import { expect } from 'vitest';
import { isValidatorError, type ErrorCode, type ValidatorError } from '../../../src/domain/errors.ts';

export function expectValidatorError(f: () => unknown, code: ErrorCode, message?: RegExp): ValidatorError {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(isValidatorError(caught), `expected a ValidatorError, got ${String(caught)}`).toBe(true);
  const error = caught as ValidatorError;
  expect(error.code).toBe(code);
  if (message) expect(error.message).toMatch(message);
  return error;
}
