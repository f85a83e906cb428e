/** What the validator does with a deny-listed card: refuse the tap, or also write "blocked" on the card. */
export type DenyAction = 'reject' | 'block';

/** A deny-listed card and why. */
export interface DenyEntry {
  readonly cardNumber: string;
  /** The backend's reason code: lost, stolen, fraud, debt, … */
  readonly reason: string;
  /** Absent only from lists that predate actions; treat absent as 'reject'. */
  readonly action?: DenyAction;
  /** When this validator first listed the card, epoch milliseconds, to the UTC day; absent when unknown. */
  readonly added?: number;
}

/** The cached deny list, looked up by printed card number. */
export interface DenyList {
  /** The version the journal records with each tap. */
  readonly version: string;
  /** The entry for a card, or undefined. Runs on every tap: no I/O, and nothing allocated for an unlisted card. */
  lookup(cardNumber: string): DenyEntry | undefined;
}
