import { BLOCK_SIZE } from '../mifare/geometry.ts';
import { decodeDay, encodeDay } from './calendar-day.ts';
import { categoryCode, categoryId } from './categories.ts';
import { CARD_NUMBER_BYTES, decodeCardNumber, encodeCardNumber } from './card-number.ts';
import { LAYOUT_VERSION } from './layout.ts';

/**
 * Block 4, the card information; written once at personalization, never by a purse write.
 *   0      layout version (1)
 *   1..10  card number, compressed numeric
 *   11     bit 7: reserved, 0; bits 0..6: rider category code
 *   12..13 issue date, day number, big-endian
 *   14..15 expiry date (last valid day), day number, big-endian
 * It has no tag of its own: every purse slot's MAC covers it. Whether a card is blocked is in the purse
 * slot, where blocking is a tearing-safe purse write.
 */
export interface CardInfo {
  readonly number: string;
  readonly category: string;
  readonly issued: string;
  readonly expires: string;
}

export type InfoReading = { readonly ok: true; readonly info: CardInfo } | { readonly ok: false; readonly why: string };

const RESERVED_BIT = 0x80;

/** The info block of a card; throws BadRequest naming a field that does not fit. */
export function encodeInfo(info: CardInfo): Buffer {
  const block = Buffer.alloc(BLOCK_SIZE);
  block[0] = LAYOUT_VERSION;
  encodeCardNumber(info.number).copy(block, 1);
  block[11] = categoryCode(info.category);
  block.writeUInt16BE(encodeDay(info.issued, 'issue date'), 12);
  block.writeUInt16BE(encodeDay(info.expires, 'expiry date'), 14);
  return block;
}

/** The card information, or why the block does not hold any this validator reads. Never throws. */
export function decodeInfo(block: Buffer): InfoReading {
  const problem = layoutProblem(block);
  if (problem !== null) return { ok: false, why: problem };
  const number = decodeCardNumber(block.subarray(1, 1 + CARD_NUMBER_BYTES));
  if (number === null) return { ok: false, why: 'info block 4: the card number is not compressed numeric' };
  if ((block[11]! & RESERVED_BIT) !== 0) return { ok: false, why: 'info block 4: byte 11 has its reserved bit 7 set' };
  return {
    ok: true,
    info: {
      number,
      category: categoryId(block[11]!),
      issued: decodeDay(block.readUInt16BE(12)),
      expires: decodeDay(block.readUInt16BE(14)),
    },
  };
}

/**
 * Why the block is not of the layout this code reads, or null when it is: checked before any slot is
 * read, so a card of another layout costs no more exchanges than it must.
 */
export function layoutProblem(block: Buffer): string | null {
  if (block.every((b) => b === 0)) return 'the card is not personalized: its info block 4 is blank. Issue it again at the card office';
  if (block[0] !== LAYOUT_VERSION) {
    return `info block 4 says layout version ${block[0]}; this validator reads layout version ${LAYOUT_VERSION} only. Reissue the card at the card office`;
  }
  return null;
}
