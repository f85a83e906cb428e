/** Why a tap ended as it did. Stable codes: they go into the journal and to the backend. */
export enum Reason {
  Ok = 'OK',
  AlreadyPaid = 'ALREADY_PAID',
  DenyListed = 'DENY_LISTED',
  Expired = 'EXPIRED',
  NotYetValid = 'NOT_YET_VALID',
  Blocked = 'BLOCKED',
  InsufficientBalance = 'INSUFFICIENT_BALANCE',
  /** No fare rule in force matches the tap (GTFS: "the fare is unknown"), or no fare bundle is in force yet. */
  NoFare = 'NO_FARE',
  UnknownCategory = 'UNKNOWN_CATEGORY',
  CardInvalid = 'CARD_INVALID',
  CardUnreadable = 'CARD_UNREADABLE',
  /** A blank card on its transport keys: never issued, or its personalization was cut short. */
  CardNotIssued = 'CARD_NOT_ISSUED',
  /** The card left before the debit could be confirmed; the next presentation resolves it. */
  CardRemoved = 'CARD_REMOVED',
  /** The tap's time budget ran out. */
  Timeout = 'TIMEOUT',
  /** A debit's intent was found on the card's next presentation not to have reached the card. */
  DebitNotApplied = 'DEBIT_NOT_APPLIED',
  /** An open debit intent whose card never came back; the backend reconciles it. */
  Unresolved = 'UNRESOLVED',
  OutOfService = 'OUT_OF_SERVICE',
  /** A blank card personalized at a depot (`validator card issue`), with its opening balance. */
  CardIssued = 'CARD_ISSUED',
  /** A depot top-up: value added to the card (`validator card topup`); balanceAfter - balanceBefore is the amount. */
  TopUp = 'TOP_UP',
  /** "Blocked" written onto the card: by a depot (`validator card block`) or for a deny-list entry whose action is block. */
  BlockWritten = 'BLOCK_WRITTEN',
}
