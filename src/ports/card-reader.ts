import type { Observable } from 'rxjs';
import type { CardData, PurseUpdate } from '../domain/card.ts';
import type { Deadline } from '../domain/time.ts';

/**
 * One card in the field, from detection until it leaves. A card resting on the reader is one presentation;
 * lifting it and presenting it again is a new one.
 *
 * Contract for implementations:
 * - Every exchange is bounded by the deadline it is given (and by its own timeout); on expiry the call
 *   rejects with ValidatorError(ReaderTimeout).
 * - A card leaving the field rejects the call in flight with ValidatorError(CardRemoved): a normal event.
 * - Data that does not decode rejects with CardUnreadable; data whose integrity check fails, with CardInvalid.
 * - Only one call may be in flight; a second rejects with ReaderBusy.
 */
export interface CardPresentation {
  /** Unique per presentation, so a caller can match the tap outcome to the card it presented. */
  readonly id: string;
  /** The reader's configured id (the door). */
  readonly reader: string;
  /** The chip's UID, uppercase hex. */
  readonly uid: string;
  /** Monotonic milliseconds at detection: the tap's time budget starts here. */
  readonly detectedAt: number;
  /** Reads and decodes the card. */
  read(deadline: Deadline): Promise<CardData>;
  /**
   * Writes a purse update decided from the last `read`. Resolves once the card confirmed the write.
   * After a rejection the write may or may not have landed: the card's next read tells which.
   */
  writePurse(update: PurseUpdate, deadline: Deadline): Promise<void>;
}

export type ReaderState =
  | { readonly kind: 'ready'; readonly name: string }
  | { readonly kind: 'absent'; readonly reason: string };

/** A contactless reader: a stream of presentations and a stream of its own state. */
export interface CardReader {
  /** The configured id (e.g. "front", "rear"). */
  readonly id: string;
  /** Current state first, then every change. */
  readonly state$: Observable<ReaderState>;
  readonly presentations$: Observable<CardPresentation>;
  /** Stops watching the reader; completes both streams. */
  close(): Promise<void>;
}
