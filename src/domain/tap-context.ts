/** Where and on what a tap happens: everything the decision needs besides the card and the time. */
export interface TapContext {
  readonly device: string;
  readonly vehicle: string;
  /** The route the bus is running, when assigned. */
  readonly route: string | null;
  /** The current stop, when known (GPS comes in its own issue). */
  readonly stop: string | null;
  /** The reader (door) the card was presented at. */
  readonly reader: string;
}
