import type { CardData, LastTrip } from './card.ts';
import type { Reason } from './reasons.ts';
import type { TapContext } from './tap-context.ts';

/** The fare rules' answer for a card that is valid, active and not deny-listed. */
export interface FareQuote {
  readonly result: 'accept' | 'reject';
  readonly reason: Reason;
  /** Rials to debit; 0 when nothing is charged. */
  readonly amount: number;
  readonly transfer: boolean;
  /** The last-trip record to write with the debit; null when nothing is written. */
  readonly lastTrip: LastTrip | null;
}

/** Fare rules. Pure: card, context and time in, a quote out. The GTFS-Fares engine implements this too. */
export interface FarePolicy {
  /** The version the journal records with each tap. */
  readonly version: string;
  quote(card: CardData, context: TapContext, now: number): FareQuote;
}
