import { ErrorCode, ValidatorError } from '../../src/domain/errors.ts';
import type { Deadline } from '../../src/domain/time.ts';
import type { ApduTransport } from '../mifare/apdu-transport.ts';

/**
 * Bounds every exchange by the deadline of the call in progress: timeout = min(exchange timeout, time
 * left), and no exchange at all once the deadline has passed.
 */
export class DeadlineTransport implements ApduTransport {
  /** The deadline of the call in progress; null bounds exchanges by their own timeout only. */
  deadline: Deadline | null = null;

  constructor(private readonly inner: ApduTransport) {}

  exchange(apdu: Buffer, timeoutMs: number): Promise<Buffer> {
    const deadline = this.deadline;
    if (!deadline) return this.inner.exchange(apdu, timeoutMs);
    const left = deadline.remaining();
    if (left <= 0) {
      return Promise.reject(new ValidatorError(ErrorCode.ReaderTimeout, 'the time budget ran out before the next card exchange'));
    }
    return this.inner.exchange(apdu, Math.min(timeoutMs, left));
  }
}
