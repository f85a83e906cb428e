import type { CardData, CardStatus, PurseUpdate } from '../../domain/card.ts';
import type { Deadline } from '../../domain/time.ts';

/** What personalization writes: a card's data without what the chip and the first write fix. */
export interface CardIssue {
  readonly number: string;
  readonly category: string;
  /** YYYY-MM-DD in the network's time zone. */
  readonly issued: string;
  readonly expires: string;
  readonly status: CardStatus;
  readonly balance: number;
  readonly counter: number;
  readonly lastTrip: null;
}

/**
 * A card on a depot reader, with the writes only a depot makes. The card layout's presentation implements
 * it; the depot's logic (journaling, re-presentation after a cut write) lives on this side.
 */
export interface DepotCard {
  /** The chip's UID, uppercase hex. */
  readonly uid: string;
  read(deadline: Deadline): Promise<CardData>;
  /** A purse write decided from the last read (a top-up); the card keeps its status. */
  writePurse(update: PurseUpdate, deadline: Deadline): Promise<void>;
  /** Blocks the card read last: counter + 1, balance and last trip unchanged. */
  block(deadline: Deadline): Promise<void>;
  /** Writes a blank card (transport keys) as a Qom Card with its own keys. */
  personalize(card: CardIssue, deadline: Deadline): Promise<void>;
  /** Everything on the card, decoded as far as it goes, with the integrity status of each part. */
  inspect(deadline: Deadline): Promise<CardInspection>;
}

/** A card as the depot sees it: printable as JSON, and as lines for a person. */
export interface CardInspection {
  readonly uid: string;
  /** One line each, in the order a person reads them. */
  readonly lines: readonly string[];
  /** The same content for --json. */
  readonly json: unknown;
}

/** A depot reader: cards one at a time. */
export interface DepotStation {
  /** The PC/SC name of the reader in use, once one matched. */
  readonly readerName: string | null;
  /**
   * The next card put on the reader, or the one resting there. With `uid`, only that card: another one
   * is ignored (and said so through `onOtherCard`).
   */
  nextCard(options: { readonly timeoutMs: number; readonly uid?: string; readonly onOtherCard?: (uid: string) => void }): Promise<DepotCard>;
  close(): Promise<void>;
}
