/** A card's data as the domain sees it, decoded from whatever the card layout is. */

/** The last boarding written on the card, so that another bus can apply repeat and transfer rules offline. */
export interface LastTrip {
  /** Boarding time, epoch milliseconds (UTC). The card keeps whole seconds. */
  readonly time: number;
  readonly route: string;
  readonly stop: string | null;
  /** Rials charged for this boarding. */
  readonly amount: number;
  readonly vehicle: string;
  readonly device: string;
  /** Transfers used in the current chain (0 for a first boarding). */
  readonly transfersUsed: number;
  /** When the current transfer chain started, epoch milliseconds. */
  readonly chainStart: number;
}

export type CardStatus = 'active' | 'blocked';

export interface CardData {
  /** The chip's UID, uppercase hex. */
  readonly uid: string;
  /** The printed card number: the deny-list key. */
  readonly number: string;
  /** Rider category id (adult, student, ...); the fare rules say which exist. */
  readonly category: string;
  /** Issue date, YYYY-MM-DD in the network's time zone. */
  readonly issued: string;
  /** Last valid day, YYYY-MM-DD in the network's time zone. */
  readonly expires: string;
  readonly status: CardStatus;
  readonly layoutVersion: number;
  /** Stored value in integer rials. */
  readonly balance: number;
  /** Transaction counter; only goes up, by one per purse write. */
  readonly counter: number;
  readonly lastTrip: LastTrip | null;
}

/** What a debit writes to the card's purse. */
export interface PurseUpdate {
  readonly balance: number;
  /** Always the card's counter plus one. */
  readonly counter: number;
  readonly lastTrip: LastTrip | null;
  /**
   * 'blocked' also blocks the card (a deny-list entry whose action is block). Absent, the card keeps its
   * status: no purse write ever unblocks a card.
   */
  readonly status?: 'blocked';
}
