import type { CardData, PurseUpdate } from '../../src/domain/card.ts';
import { ErrorCode, isValidatorError, ValidatorError } from '../../src/domain/errors.ts';
import { encodeAccessBits } from '../mifare/access-bits.ts';
import type { ClassicClient } from '../mifare/classic-client.ts';
import { BLOCK_SIZE, firstBlockOf, sectorOf, trailerOf, type KeyType } from '../mifare/geometry.ts';
import { slotInspection, type CardInspection } from './card-inspection.ts';
import { judgeCard } from './card-verdict.ts';
import { decodeInfo, encodeInfo } from './info-block.ts';
import type { IntegrityCheck } from './integrity.ts';
import { TRANSPORT_KEY, type KeyStore } from './key-store.ts';
import {
  GENERAL_PURPOSE_BYTE,
  INFO_BLOCK,
  KEY_SLOT,
  otherSlot,
  QOM_ACCESS,
  QOM_SECTORS,
  SLOTS,
  VALIDATOR_KEY,
  type SlotId,
} from './layout.ts';
import { decodeSlot, encodeSlot, type PurseState, type SlotImage, type SlotReading } from './purse-slot.ts';

/** A card as read: its data, and what a purse write needs to know (the info bytes, which slot is current). */
export interface CardRead {
  readonly data: CardData;
  readonly uid: Buffer;
  readonly info: Buffer;
  /** The newest valid slot; a purse write goes to the other one. */
  readonly current: SlotId;
  /** Slots passed over on the way to the current one, and why (a head torn into garbage): for the log. */
  readonly skipped: readonly string[];
}

/** What personalization writes: a card's data without what the chip and the layout fix. */
export type CardIssue = Omit<CardData, 'uid' | 'layoutVersion'>;

export interface QomCardCodecOptions {
  /** The card's MIFARE Classic keys. */
  readonly keys: KeyStore;
  /** The purse slots' MAC (CmacIntegrity over the same key file). */
  readonly integrity: IntegrityCheck;
}

/**
 * Sector 1 is written last at personalization, so it decides: a card whose sector 1 still opens with the
 * transport key is not issued; the other Qom sectors may be ours already (a personalization cut short).
 */
const PERSONALIZATION_ORDER = [3, 2, 1] as const;

/** Qom Card layout v1 over a MIFARE Classic client: read, purse writes (debit, top-up, block), inspect, personalize. */
export class QomCardCodec {
  constructor(private readonly options: QomCardCodecOptions) {}

  /**
   * Reads info and both heads (sector 1), then the body of the slot whose head claims the higher counter,
   * and the other slot's only when that one is a torn write: 8 exchanges when nothing is torn.
   * Rejects with CardNotIssued (transport keys), CardAuthFailed (other keys), CardInvalid (MAC) or
   * CardUnreadable (another layout, no purse).
   */
  async readCard(client: ClassicClient, uid: Buffer): Promise<CardRead> {
    const { info, heads } = await this.readSector1(client, uid);
    const verdict = await judgeCard(uid, info, heads, async (slot) => this.decode(uid, info, heads[slot], await this.readBody(client, uid, slot)));
    if (!verdict.ok) throw new ValidatorError(verdict.code, `card ${hex(uid)}: ${verdict.message}`);
    return { data: verdict.data, uid, info, current: verdict.current, skipped: verdict.skipped };
  }

  /**
   * Writes `update` into the slot that is not current, keeping the card's status unless the update blocks
   * it: a debit, a top-up (a higher balance and the same last trip), or a deny-list block. Body first, head last, so that a write cut short leaves
   * the older head in place and the next read goes straight to the intact slot. 5 exchanges after a read.
   * Returns the card as it now reads.
   */
  writePurse(client: ClassicClient, current: CardRead, update: PurseUpdate): Promise<CardRead> {
    return this.writeSlot(client, current, { ...update, status: update.status ?? current.data.status });
  }

  /**
   * Blocks the card: a purse write with the counter raised by one and balance and last trip unchanged, so
   * it is as tearing-safe as a debit. Writes even when the card is already blocked. 5 exchanges after a read.
   */
  block(client: ClassicClient, current: CardRead): Promise<CardRead> {
    const { counter, balance, lastTrip } = current.data;
    return this.writeSlot(client, current, { counter: counter + 1, balance, lastTrip, status: 'blocked' });
  }

  /**
   * Everything on the card's Qom sectors, decoded as far as it goes, with what a validator would make of
   * it: for the depot. Throws only when the card cannot be read at all (removed, refused keys, not issued),
   * never on what the blocks hold. 11 exchanges.
   */
  async inspect(client: ClassicClient, uid: Buffer): Promise<CardInspection> {
    const { info, heads } = await this.readSector1(client, uid);
    const bodies = { A: await this.readBody(client, uid, 'A'), B: await this.readBody(client, uid, 'B') };
    const readings = { A: this.decode(uid, info, heads.A, bodies.A), B: this.decode(uid, info, heads.B, bodies.B) };
    const slots = { A: slotInspection(readings.A, [heads.A, ...bodies.A]), B: slotInspection(readings.B, [heads.B, ...bodies.B]) };
    const verdict = await judgeCard(uid, info, heads, (slot) => Promise.resolve(readings[slot]));
    const decoded = decodeInfo(info);
    return {
      uid: hex(uid),
      layoutVersion: info[0]!,
      info: decoded.ok ? decoded.info : null,
      infoProblem: decoded.ok ? null : decoded.why,
      infoBlock: hex(info),
      slots,
      current: verdict.ok ? verdict.current : null,
      verdict,
    };
  }

  /**
   * Personalizes a blank card: sectors 3, 2, then 1, each with its data blocks first and its trailer
   * (the card's own keys and the Qom access bits) last. Slot A gets the purse, slot B and the reserved
   * blocks zeros. Everything is encoded before the first write, so a field that does not fit leaves the
   * card blank. A personalization cut short leaves sector 1 on transport keys: the card reads as not
   * issued, and personalizing it again completes it.
   */
  async personalize(client: ClassicClient, uid: Buffer, card: CardIssue): Promise<void> {
    const info = encodeInfo(card);
    const slotA = encodeSlot(uid, info, card, this.options.integrity);
    const content = new Map<number, Buffer>([
      [INFO_BLOCK, info],
      [SLOTS.A.head, slotA.head],
      [SLOTS.A.body[0], slotA.body[0]],
      [SLOTS.A.body[1], slotA.body[1]],
    ]);
    const empty = Buffer.alloc(BLOCK_SIZE);
    // Every sector is checked before the first write, so a card that is not ours to personalize stays as it was.
    const openers = new Map<number, readonly [Buffer, KeyType]>();
    for (const sector of QOM_SECTORS) openers.set(sector, await this.personalizationKey(client, uid, sector));
    for (const sector of PERSONALIZATION_ORDER) {
      const [key, type] = openers.get(sector)!;
      await client.loadKey(KEY_SLOT, key);
      await client.authenticate(firstBlockOf(sector), type, KEY_SLOT);
      for (let block = firstBlockOf(sector); block < trailerOf(sector); block++) {
        await client.writeBlock(block, content.get(block) ?? empty);
      }
      await client.writeBlock(trailerOf(sector), this.trailer(uid));
    }
  }

  private async writeSlot(client: ClassicClient, current: CardRead, purse: PurseState): Promise<CardRead> {
    if (purse.counter !== current.data.counter + 1) {
      throw new ValidatorError(
        ErrorCode.BadRequest,
        `a purse write must raise the counter by one: the card is at ${current.data.counter}, the update says ${purse.counter}`,
      );
    }
    const target = otherSlot(current.current);
    const image = encodeSlot(current.uid, current.info, purse, this.options.integrity);
    const [b1, b2] = SLOTS[target].body;
    await this.enter(client, current.uid, b1);
    await client.writeBlock(b1, image.body[0]);
    await client.writeBlock(b2, image.body[1]);
    await this.enter(client, current.uid, SLOTS[target].head);
    await client.writeBlock(SLOTS[target].head, image.head);
    const written = decodeSlot(current.uid, current.info, image, this.options.integrity);
    if (written.mac !== 'valid') throw new Error(`bug: a slot just encoded does not decode (${written.mac})`);
    return { ...current, data: { ...current.data, ...written.purse }, current: target, skipped: [] };
  }

  private async readSector1(client: ClassicClient, uid: Buffer): Promise<{ info: Buffer; heads: Record<SlotId, Buffer> }> {
    await this.enter(client, uid, INFO_BLOCK);
    const info = await client.readBlock(INFO_BLOCK);
    const heads = { A: await client.readBlock(SLOTS.A.head), B: await client.readBlock(SLOTS.B.head) };
    return { info, heads };
  }

  private async readBody(client: ClassicClient, uid: Buffer, slot: SlotId): Promise<[Buffer, Buffer]> {
    const [b1, b2] = SLOTS[slot].body;
    await this.enter(client, uid, b1);
    return [await client.readBlock(b1), await client.readBlock(b2)];
  }

  private decode(uid: Buffer, info: Buffer, head: Buffer, body: readonly [Buffer, Buffer]): SlotReading {
    const image: SlotImage = { head, body };
    return decodeSlot(uid, info, image, this.options.integrity);
  }

  private trailer(uid: Buffer): Buffer {
    const { keys } = this.options;
    return Buffer.concat([keys.cardKey(uid, 'A'), encodeAccessBits(QOM_ACCESS), Buffer.from([GENERAL_PURPOSE_BYTE]), keys.cardKey(uid, 'B')]);
  }

  /**
   * Loads the card's key B (the client skips a key already in the slot) and authenticates the block's
   * sector. When sector 1 refuses it, says whether the card is blank (transport keys) or another system's.
   */
  private async enter(client: ClassicClient, uid: Buffer, block: number): Promise<void> {
    const sector = sectorOf(block);
    await client.loadKey(KEY_SLOT, this.options.keys.cardKey(uid, VALIDATOR_KEY));
    try {
      await client.authenticate(block, VALIDATOR_KEY, KEY_SLOT);
    } catch (e) {
      if (!isValidatorError(e, ErrorCode.CardAuthFailed)) throw e;
      if (block === INFO_BLOCK && (await this.opensWith(client, INFO_BLOCK, TRANSPORT_KEY, 'A'))) {
        throw new ValidatorError(
          ErrorCode.CardNotIssued,
          `card ${hex(uid)} is not issued: sector 1 still opens with the transport key FF FF FF FF FF FF. Personalize it at the card office`,
          { cause: e },
        );
      }
      throw new ValidatorError(
        ErrorCode.CardAuthFailed,
        `card ${hex(uid)}: sector ${sector} refused the Qom key ${VALIDATOR_KEY}; a card of another system, or one issued under other master keys`,
        { cause: e },
      );
    }
  }

  /** Whether the block's sector accepts this key: a probe, so a refusal is an answer, not an error. */
  private async opensWith(client: ClassicClient, block: number, key: Buffer, type: KeyType): Promise<boolean> {
    await client.loadKey(KEY_SLOT, key);
    try {
      await client.authenticate(block, type, KEY_SLOT);
      return true;
    } catch (e) {
      if (isValidatorError(e, ErrorCode.CardAuthFailed)) return false;
      throw e;
    }
  }

  /**
   * The key that opens a sector for personalization: transport key A on a blank sector, the card's key B
   * on one that a personalization cut short already made ours. Sector 1 is written last, so a card whose
   * sector 1 is ours is issued already.
   */
  private async personalizationKey(client: ClassicClient, uid: Buffer, sector: number): Promise<readonly [Buffer, KeyType]> {
    const block = firstBlockOf(sector);
    if (await this.opensWith(client, block, TRANSPORT_KEY, 'A')) return [TRANSPORT_KEY, 'A'];
    const ours = this.options.keys.cardKey(uid, VALIDATOR_KEY);
    const isOurs = await this.opensWith(client, block, ours, VALIDATOR_KEY);
    if (isOurs && sector !== sectorOf(INFO_BLOCK)) return [ours, VALIDATOR_KEY];
    throw new ValidatorError(
      ErrorCode.InvalidState,
      isOurs
        ? `card ${hex(uid)} is already issued (sector 1 opens with its Qom key). Personalize only new cards`
        : `card ${hex(uid)} is not blank: sector ${sector} opens neither with the transport key nor with this system's key. Personalize only new cards`,
    );
  }
}

function hex(bytes: Buffer): string {
  return bytes.toString('hex').toUpperCase();
}
