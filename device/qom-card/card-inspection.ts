import type { CardVerdict } from './card-verdict.ts';
import type { CardInfo } from './info-block.ts';
import type { SlotId } from './layout.ts';
import type { MacStatus, PurseState, SlotReading } from './purse-slot.ts';

/** One purse slot as the depot sees it (`validator card read --json`). Plain data: it serialises as JSON. */
export interface SlotInspection {
  readonly mac: MacStatus;
  /** The purse as the slot's bytes say it: to be trusted only when `mac` is valid; null when blank or when the bytes do not decode. */
  readonly purse: PurseState | null;
  /** Why the content breaks the layout's rules (`mac` undecodable), else null. */
  readonly problem: string | null;
  /** Head, body block 1, body block 2, as 32 hex digits each. */
  readonly blocks: readonly [string, string, string];
}

/** Everything on a card's Qom sectors, decoded as far as it decodes. */
export interface CardInspection {
  /** Uppercase hex. */
  readonly uid: string;
  /** Info block byte 0, whatever it is. */
  readonly layoutVersion: number;
  /** The card information, or null with `infoProblem` saying why it does not decode. */
  readonly info: CardInfo | null;
  readonly infoProblem: string | null;
  /** Info block 4 as 32 hex digits. */
  readonly infoBlock: string;
  readonly slots: Readonly<Record<SlotId, SlotInspection>>;
  /** The slot a validator reads; null when a validator rejects the card. */
  readonly current: SlotId | null;
  /** What a validator makes of the card: the data it reads, or the code and message of its rejection. */
  readonly verdict: CardVerdict;
}

/** The depot's view of one slot's reading and bytes. */
export function slotInspection(reading: SlotReading, blocks: readonly [Buffer, Buffer, Buffer]): SlotInspection {
  const hex = blocks.map((b) => b.toString('hex').toUpperCase()) as [string, string, string];
  switch (reading.mac) {
    case 'valid':
      return { mac: 'valid', purse: reading.purse, problem: null, blocks: hex };
    case 'mismatch':
      return { mac: 'mismatch', purse: reading.claimed, problem: null, blocks: hex };
    case 'blank':
      return { mac: 'blank', purse: null, problem: null, blocks: hex };
    case 'undecodable':
      return { mac: 'undecodable', purse: null, problem: reading.why, blocks: hex };
  }
}
