/** Every failure the validator reasons about has a code; callers branch on codes, never on message text. */
export enum ErrorCode {
  /** The card left the field during an exchange. A normal event, never a crash. */
  CardRemoved = 'CARD_REMOVED',
  /** The card answered, but its data does not decode (bad checksum, unknown layout). */
  CardUnreadable = 'CARD_UNREADABLE',
  /** The card's data decodes but fails its integrity check: never debited. */
  CardInvalid = 'CARD_INVALID',
  /** A sector refused our keys. */
  CardAuthFailed = 'CARD_AUTH_FAILED',
  /** A blank card, still on its transport keys: never personalized (or its personalization was cut short). */
  CardNotIssued = 'CARD_NOT_ISSUED',
  /** The card or reader answered with a status word we do not expect. */
  CardProtocol = 'CARD_PROTOCOL',
  /** An exchange did not answer within its timeout. */
  ReaderTimeout = 'READER_TIMEOUT',
  /** No reader is connected, or it went away. */
  ReaderUnavailable = 'READER_UNAVAILABLE',
  /** A second exchange was started while one was in flight. */
  ReaderBusy = 'READER_BUSY',
  /** The tap's time budget ran out before the step could start. */
  BudgetExceeded = 'BUDGET_EXCEEDED',
  /** The journal cannot take a write (disk full, read-only, I/O error). */
  JournalUnavailable = 'JOURNAL_UNAVAILABLE',
  /** The journal database is damaged. */
  JournalCorrupt = 'JOURNAL_CORRUPT',
  /** The configuration file is missing, unreadable, or fails the schema. */
  ConfigInvalid = 'CONFIG_INVALID',
  /** No daemon answers on the control socket. */
  ControlUnavailable = 'CONTROL_UNAVAILABLE',
  /** The control socket peer sent something we do not understand. */
  ControlProtocol = 'CONTROL_PROTOCOL',
  /** A request named something that does not exist (a card profile, a command). */
  NotFound = 'NOT_FOUND',
  /** A request's arguments are wrong. */
  BadRequest = 'BAD_REQUEST',
  /** The operation is refused in the current state (e.g. simulated taps on real hardware). */
  InvalidState = 'INVALID_STATE',
  /** The sync backend answered an enrollment with no: a used or unknown code, a refused signature, its own failure. */
  EnrollmentRefused = 'ENROLLMENT_REFUSED',
  /** No answer from the sync backend: connection refused, a name that does not resolve, a timeout, an untrusted certificate. */
  BackendUnreachable = 'BACKEND_UNREACHABLE',
  /** The passenger feedback unit did not answer (no ack after its retries), refused a command, or its port is gone. */
  FeedbackUnavailable = 'FEEDBACK_UNAVAILABLE',
}

/** The one error class of the validator: a code, a message that says how to fix it, and the cause. */
export class ValidatorError extends Error {
  override readonly name = 'ValidatorError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Type guard; with `code`, also checks the code. */
export function isValidatorError(e: unknown, code?: ErrorCode): e is ValidatorError {
  return e instanceof ValidatorError && (code === undefined || e.code === code);
}

/** Text for a log line from anything thrown, without losing a ValidatorError's code. */
export function describeError(e: unknown): string {
  if (isValidatorError(e)) return `${e.code}: ${e.message}`;
  if (e instanceof Error) return e.message;
  return String(e);
}
