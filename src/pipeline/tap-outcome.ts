import type { Notice } from '../feedback/messages.ts';
import type { TapRecord } from '../journal/types.ts';
import type { FeedbackScreen } from '../ports/feedback-unit.ts';

/** How one presentation ended: what the passenger was shown and what the journal holds for it. */
export interface TapOutcome {
  readonly presentationId: string;
  readonly reader: string;
  readonly cardUid: string;
  readonly cardNumber: string | null;
  readonly notice: Notice;
  readonly screen: FeedbackScreen;
  /**
   * Records journaled during this presentation, in order: first the resolution of an earlier
   * interrupted debit of this card (if any), then this tap's own record (none for "try again").
   */
  readonly records: readonly TapRecord[];
  /** From detection to feedback, milliseconds. */
  readonly elapsedMs: number;
}
