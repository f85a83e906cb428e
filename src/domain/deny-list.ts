/** A deny-listed card and why. */
export interface DenyEntry {
  readonly cardNumber: string;
  readonly reason: string;
}

/** The cached deny list, looked up by printed card number. */
export interface DenyList {
  /** The version the journal records with each tap. */
  readonly version: string;
  lookup(cardNumber: string): DenyEntry | undefined;
}
