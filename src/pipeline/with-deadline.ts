import { ErrorCode, ValidatorError } from '../domain/errors.ts';
import type { Deadline } from '../domain/time.ts';

/**
 * Settles with `work`, or rejects with ReaderTimeout when the deadline passes first.
 * Only for steps that change nothing (a read): a write must run to its own end.
 */
export async function withDeadline<T>(work: Promise<T>, deadline: Deadline, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ValidatorError(ErrorCode.ReaderTimeout, `${what} did not finish within the tap's time budget`)),
      deadline.remaining(),
    );
  });
  // The losing side of the race must not become an unhandled rejection.
  work.catch(() => undefined);
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
