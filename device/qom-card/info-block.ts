import type { CardStatus } from '../../src/domain/card.ts';
import { ErrorCode, ValidatorError } from '../../src/domain/errors.ts';
import { BLOCK_SIZE } from '../mifare/geometry.ts';
import { decodeDay, encodeDay } from './calendar-day.ts';
import { categoryCode, categoryId } from './categories.ts';
import { CARD_NUMBER_BYTES, decodeCardNumber, encodeCardNumber } from './card-number.ts';
import { LAYOUT_VERSION } from './layout.ts';

/**
 * Block 4, the card information; written at personalization, never by a debit.
 *   0      layout version (0)
 *   1..10  card number, compressed numeric
 *   11     bit 7: blocked; bits 0..6: rider category code
 *   12..13 issue date, day number, big-endian
 *   14..15 expiry date (last valid day), day number, big-endian
 * It has no check of its own: every purse slot's check covers it.
 */
export interface CardInfo {
  readonly number: string;
  readonly category: string;
  readonly issued: string;
  readonly expires: string;
  readonly status: CardStatus;
}

const BLOCKED = 0x80;

/** The info block of a card; throws BadRequest naming a field that does not fit. */
export function encodeInfo(info: CardInfo): Buffer {
  const block = Buffer.alloc(BLOCK_SIZE);
  block[0] = LAYOUT_VERSION;
  encodeCardNumber(info.number).copy(block, 1);
  block[11] = categoryCode(info.category) | (info.status === 'blocked' ? BLOCKED : 0);
  block.writeUInt16BE(encodeDay(info.issued, 'issue date'), 12);
  block.writeUInt16BE(encodeDay(info.expires, 'expiry date'), 14);
  return block;
}

/** Throws CardUnreadable when the block is blank, of another layout version, or malformed. */
export function decodeInfo(block: Buffer): CardInfo {
  assertKnownLayout(block);
  const number = decodeCardNumber(block.subarray(1, 1 + CARD_NUMBER_BYTES));
  if (number === null) throw unreadable('info block 4: the card number is not compressed numeric');
  const code = block[11]! & ~BLOCKED;
  return {
    number,
    category: categoryId(code),
    issued: decodeDay(block.readUInt16BE(12)),
    expires: decodeDay(block.readUInt16BE(14)),
    status: (block[11]! & BLOCKED) !== 0 ? 'blocked' : 'active',
  };
}

/** Throws CardUnreadable unless the block is of the layout this code reads: checked before reading any slot. */
export function assertKnownLayout(block: Buffer): void {
  if (block.every((b) => b === 0)) throw unreadable('the card is not personalized: its info block 4 is blank');
  if (block[0] !== LAYOUT_VERSION) throw unreadable(`info block 4 says layout version ${block[0]}; this validator reads version ${LAYOUT_VERSION}`);
}

function unreadable(message: string): ValidatorError {
  return new ValidatorError(ErrorCode.CardUnreadable, message);
}
