import type { SectorAccess } from '../mifare/access-bits.ts';

/**
 * Qom Card layout v1, the map docs/card-layout.md describes byte by byte.
 *
 * Sector 1: block 4 card info, block 5 head of slot A, block 6 head of slot B.
 * Sector 2: blocks 8-9 body of slot A, block 10 reserved.
 * Sector 3: blocks 12-13 body of slot B, block 14 reserved.
 * Both heads sit beside the info so that one sector tells which slot is newer; a debit then reads one
 * body and writes the other slot: 8 exchanges to read, 5 to debit. Sectors 0 and 4-15 are not ours.
 */
export const LAYOUT_VERSION = 1;

export const QOM_SECTORS = [1, 2, 3] as const;
export const INFO_BLOCK = 4;
export const RESERVED_BLOCKS = [10, 14] as const;

export type SlotId = 'A' | 'B';

export interface SlotBlocks {
  readonly head: number;
  readonly body: readonly [number, number];
}

export const SLOTS: Readonly<Record<SlotId, SlotBlocks>> = {
  A: { head: 5, body: [8, 9] },
  B: { head: 6, body: [12, 13] },
};

/** The slot a purse write goes to when `slot` is current. */
export function otherSlot(slot: SlotId): SlotId {
  return slot === 'A' ? 'B' : 'A';
}

/** Data blocks: read with A or B, write with B. Trailer: B changes keys and access bits. Bytes 78 77 88. */
export const QOM_ACCESS: SectorAccess = [0b100, 0b100, 0b100, 0b011];
export const GENERAL_PURPOSE_BYTE = 0x69;

/** Validators authenticate with key B, which may read and write, so one loaded key serves a whole tap. */
export const VALIDATOR_KEY = 'B' as const;
/** The reader key slot the codec uses. */
export const KEY_SLOT = 0;
