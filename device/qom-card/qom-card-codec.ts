import type { CardData, PurseUpdate } from '../../src/domain/card.ts';
import { ErrorCode, isValidatorError, ValidatorError } from '../../src/domain/errors.ts';
import { encodeAccessBits } from '../mifare/access-bits.ts';
import type { ClassicClient } from '../mifare/classic-client.ts';
import { BLOCK_SIZE, firstBlockOf, sectorOf, trailerOf } from '../mifare/geometry.ts';
import { assertKnownLayout, decodeInfo, encodeInfo } from './info-block.ts';
import type { IntegrityCheck } from './integrity.ts';
import { TRANSPORT_KEY, type KeyStore } from './key-store.ts';
import {
  GENERAL_PURPOSE_BYTE,
  INFO_BLOCK,
  KEY_SLOT,
  LAYOUT_VERSION,
  otherSlot,
  QOM_ACCESS,
  QOM_SECTORS,
  RESERVED_BLOCKS,
  SLOTS,
  VALIDATOR_KEY,
  type SlotId,
} from './layout.ts';
import { decodeSlot, encodeSlot, headCounter, type PurseState, type SlotImage } from './purse-slot.ts';

/** A card as read: its data, and what a purse write needs to know (the info bytes, which slot is current). */
export interface CardRead {
  readonly data: CardData;
  readonly uid: Buffer;
  readonly info: Buffer;
  /** The newest valid slot; a purse write goes to the other one. */
  readonly current: SlotId;
}

/** What personalization writes: a card's data without what the chip and the layout fix. */
export type CardIssue = Omit<CardData, 'uid' | 'layoutVersion'>;

export interface QomCardCodecOptions {
  readonly keys: KeyStore;
  readonly integrity: IntegrityCheck;
}

/** Qom Card layout v0 over a MIFARE Classic client: read, debit, personalize. */
export class QomCardCodec {
  constructor(private readonly options: QomCardCodecOptions) {}

  /**
   * Reads info and both heads (sector 1), then the body of the slot whose head claims the higher counter,
   * falling back to the other slot when that one does not check out: 8 exchanges when nothing is torn.
   */
  async readCard(client: ClassicClient, uid: Buffer): Promise<CardRead> {
    await this.enter(client, uid, INFO_BLOCK);
    const info = await client.readBlock(INFO_BLOCK);
    assertKnownLayout(info);
    const heads: Record<SlotId, Buffer> = { A: await client.readBlock(SLOTS.A.head), B: await client.readBlock(SLOTS.B.head) };
    // Ties go to A: a freshly personalized card has A written and B blank.
    const order: SlotId[] = headCounter(heads.B) > headCounter(heads.A) ? ['B', 'A'] : ['A', 'B'];
    const faults: string[] = [];
    let mismatches = 0;
    for (const slot of order) {
      const [b1, b2] = SLOTS[slot].body;
      await this.enter(client, uid, b1);
      const image: SlotImage = { head: heads[slot], body: [await client.readBlock(b1), await client.readBlock(b2)] };
      const reading = decodeSlot(uid, info, image, this.options.integrity);
      if (reading.ok) return { data: cardData(uid, info, reading.purse), uid, info, current: slot };
      faults.push(`slot ${slot}: ${reading.why}`);
      if (reading.tagMismatch) mismatches += 1;
    }
    const code = mismatches === order.length ? this.options.integrity.mismatch : ErrorCode.CardUnreadable;
    throw new ValidatorError(code, `no purse slot checks out (${faults.join('; ')})`);
  }

  /**
   * Writes `update` into the slot that is not current: body first, head last, so that a write cut short
   * leaves the older head in place and the next read goes straight to the intact slot.
   * Returns the card as it now reads.
   */
  async writePurse(client: ClassicClient, current: CardRead, update: PurseUpdate): Promise<CardRead> {
    if (update.counter !== current.data.counter + 1) {
      throw new ValidatorError(
        ErrorCode.BadRequest,
        `a purse write must raise the counter by one: the card is at ${current.data.counter}, the update says ${update.counter}`,
      );
    }
    const target = otherSlot(current.current);
    const image = encodeSlot(current.uid, current.info, update, this.options.integrity);
    const [b1, b2] = SLOTS[target].body;
    await this.enter(client, current.uid, b1);
    await client.writeBlock(b1, image.body[0]);
    await client.writeBlock(b2, image.body[1]);
    await this.enter(client, current.uid, SLOTS[target].head);
    await client.writeBlock(SLOTS[target].head, image.head);
    const written = decodeSlot(current.uid, current.info, image, this.options.integrity);
    if (!written.ok) throw new Error(`bug: a slot just encoded does not decode (${written.why})`);
    return { ...current, data: cardData(current.uid, current.info, written.purse), current: target };
  }

  /**
   * Personalizes a blank card: writes info and slot A (slot B stays empty), zeroes the rest of our
   * sectors, then replaces the transport keys and access bits. Everything is encoded before the first
   * write, so a field that does not fit leaves the card blank.
   */
  async personalize(client: ClassicClient, uid: Buffer, card: CardIssue): Promise<void> {
    const info = encodeInfo(card);
    const slotA = encodeSlot(uid, info, card, this.options.integrity);
    const empty = Buffer.alloc(BLOCK_SIZE);
    const content = new Map<number, Buffer>([
      [INFO_BLOCK, info],
      [SLOTS.A.head, slotA.head],
      [SLOTS.A.body[0], slotA.body[0]],
      [SLOTS.A.body[1], slotA.body[1]],
      [SLOTS.B.head, empty],
      [SLOTS.B.body[0], empty],
      [SLOTS.B.body[1], empty],
      ...RESERVED_BLOCKS.map((b): [number, Buffer] => [b, empty]),
    ]);
    await client.loadKey(KEY_SLOT, TRANSPORT_KEY);
    for (const sector of QOM_SECTORS) {
      try {
        await client.authenticate(firstBlockOf(sector), 'A', KEY_SLOT);
      } catch (e) {
        if (!isValidatorError(e, ErrorCode.CardAuthFailed)) throw e;
        throw new ValidatorError(
          ErrorCode.InvalidState,
          `card ${hex(uid)} is not blank: sector ${sector} refused the transport key. Personalize only new cards.`,
          { cause: e },
        );
      }
      for (let block = firstBlockOf(sector); block < trailerOf(sector); block++) {
        await client.writeBlock(block, content.get(block) ?? empty);
      }
      await client.writeBlock(trailerOf(sector), this.trailer(uid, sector));
    }
  }

  private trailer(uid: Buffer, sector: number): Buffer {
    const { keys } = this.options;
    return Buffer.concat([
      keys.sectorKey(uid, sector, 'A'),
      encodeAccessBits(QOM_ACCESS),
      Buffer.from([GENERAL_PURPOSE_BYTE]),
      keys.sectorKey(uid, sector, 'B'),
    ]);
  }

  /** Loads the sector's key (the client skips a key already in the slot) and authenticates. */
  private async enter(client: ClassicClient, uid: Buffer, block: number): Promise<void> {
    const sector = sectorOf(block);
    await client.loadKey(KEY_SLOT, this.options.keys.sectorKey(uid, sector, VALIDATOR_KEY));
    try {
      await client.authenticate(block, VALIDATOR_KEY, KEY_SLOT);
    } catch (e) {
      if (!isValidatorError(e, ErrorCode.CardAuthFailed)) throw e;
      throw new ValidatorError(
        ErrorCode.CardAuthFailed,
        `card ${hex(uid)}: sector ${sector} refused the Qom key ${VALIDATOR_KEY}; a blank or foreign card, or one issued with other keys`,
        { cause: e },
      );
    }
  }
}

function cardData(uid: Buffer, infoBlock: Buffer, purse: PurseState): CardData {
  return { uid: hex(uid), ...decodeInfo(infoBlock), layoutVersion: LAYOUT_VERSION, ...purse };
}

function hex(uid: Buffer): string {
  return uid.toString('hex').toUpperCase();
}
