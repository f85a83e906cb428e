import { ErrorCode, ValidatorError } from '../../src/domain/errors.ts';
import {
  dataBlockRights,
  decodeAccessBits,
  encodeAccessBits,
  keyBIsData,
  trailerRights,
  TRANSPORT_ACCESS,
} from './access-bits.ts';
import { CLA, INS } from './commands.ts';
import {
  BLOCK_SIZE,
  BLOCKS,
  indexInSector,
  isTrailer,
  KEY_SIZE,
  sectorOf,
  trailerOf,
  type KeyType,
} from './geometry.ts';
import { swBytes, SW } from './status-words.ts';

/** The card's memory in a JSON-able form: 64 blocks of 32 hex digits. The UID is in block 0. */
export interface VirtualCardState {
  readonly format: typeof STATE_FORMAT;
  readonly uid: string;
  readonly blocks: readonly string[];
}

/** A write cut by the card leaving the field: EEPROM may end up with the old block or the new one. */
export type TornWrite = 'unchanged' | 'written';

/** When an armed card leaves the field, counted from the moment it was armed. */
export type VanishPlan =
  /** Exchanges 1..n are answered; exchange n + 1 is cut, and nothing answers after it. */
  | { readonly afterExchanges: number; readonly tornWrite?: TornWrite }
  /** The nth UPDATE BINARY is cut. */
  | { readonly duringUpdate: number; readonly tornWrite?: TornWrite };

const STATE_FORMAT = 'mifare-classic-1k';
const KEY_SLOTS = 2;
const TRANSPORT_KEY = Buffer.alloc(KEY_SIZE, 0xff);
/** SAK 08, ATQA 00 04 and NXP-style manufacturer bytes after UID and BCC. */
const MANUFACTURER_TAIL = Buffer.from('0804006263646566676869', 'hex');
const GENERAL_PURPOSE_BYTE = 0x69;

interface Session {
  readonly sector: number;
  readonly keyType: KeyType;
}

/**
 * A behavioural MIFARE Classic 1K (MF1S50) together with the reader side of the PC/SC pseudo-APDUs
 * (key slots), answering APDUs synchronously. Transport-agnostic: an in-process transport calls
 * `transmit` today, the vpcd protocol will later.
 *
 * Behaviour, per the datasheet where the card decides and per ACR122U-class readers where the reader does:
 * - authentication checks the key against the sector trailer; a wrong key answers 63 00 and drops any
 *   authentication, like the real card falling back to idle;
 * - READ/UPDATE BINARY outside the authenticated sector, or forbidden by the access bits, answer 69 82
 *   (PC/SC part 3 readers; an ACR122U says 63 00 for this too) and also drop authentication, because the
 *   card NAKs and halts;
 * - block 0 is read-only; key A reads as zeros; trailer writes change only the parts the access bits allow;
 * - access bits whose inverted copies disagree lock the sector: every authentication there fails.
 */
export class VirtualClassicCard {
  private readonly memory: Buffer[];
  private readonly keySlots: (Buffer | undefined)[] = new Array<Buffer | undefined>(KEY_SLOTS).fill(undefined);
  private session: Session | null = null;
  private inField = false;
  private fieldToken = 0;
  private plan: { readonly vanish: VanishPlan; exchanges: number; updates: number } | null = null;
  private readonly writeListeners = new Set<() => void>();

  private constructor(blocks: Buffer[]) {
    this.memory = blocks;
  }

  /** A card as it ships: zeroed data, transport keys FF FF FF FF FF FF, access bits FF 07 80. */
  static blank(uid: Buffer): VirtualClassicCard {
    if (uid.length !== 4) throw new RangeError(`this model has 4-byte UIDs, got ${uid.length} bytes`);
    const blocks = Array.from({ length: BLOCKS }, () => Buffer.alloc(BLOCK_SIZE));
    blocks[0] = Buffer.concat([uid, Buffer.from([bcc(uid)]), MANUFACTURER_TAIL]);
    const trailer = Buffer.concat([TRANSPORT_KEY, encodeAccessBits(TRANSPORT_ACCESS), Buffer.from([GENERAL_PURPOSE_BYTE]), TRANSPORT_KEY]);
    for (let sector = 0; sector < BLOCKS / 4; sector++) blocks[trailerOf(sector)] = Buffer.from(trailer);
    return new VirtualClassicCard(blocks);
  }

  /** Rebuilds a card from `toState()`; throws RangeError saying what is wrong with the state. */
  static fromState(state: unknown): VirtualClassicCard {
    if (typeof state !== 'object' || state === null) throw new RangeError('card state is not an object');
    const { format, uid, blocks } = state as Partial<Record<keyof VirtualCardState, unknown>>;
    if (format !== STATE_FORMAT) throw new RangeError(`card state format is ${JSON.stringify(format)}, expected "${STATE_FORMAT}"`);
    if (!Array.isArray(blocks) || blocks.length !== BLOCKS) throw new RangeError(`card state needs ${BLOCKS} blocks`);
    const memory = blocks.map((hex: unknown, i) => {
      if (typeof hex !== 'string' || !/^[0-9a-fA-F]{32}$/.test(hex)) throw new RangeError(`block ${i} is not 32 hex digits`);
      return Buffer.from(hex, 'hex');
    });
    const block0 = memory[0]!;
    if (bcc(block0.subarray(0, 4)) !== block0[4]) throw new RangeError('block 0: the BCC does not match the UID');
    const card = new VirtualClassicCard(memory);
    if (typeof uid !== 'string' || uid.toUpperCase() !== card.uidHex) throw new RangeError(`uid ${JSON.stringify(uid)} does not match block 0 (${card.uidHex})`);
    return card;
  }

  /** The 4-byte UID from block 0. */
  get uid(): Buffer {
    return Buffer.from(this.memory[0]!.subarray(0, 4));
  }

  /** The UID as uppercase hex, the way CardData carries it. */
  get uidHex(): string {
    return this.uid.toString('hex').toUpperCase();
  }

  /** Whether the card is in a reader's field and answers. */
  get present(): boolean {
    return this.inField;
  }

  /** The token of the current (or last) field session; it changes each time the card enters a field. */
  get fieldSession(): number {
    return this.fieldToken;
  }

  /**
   * The card enters a field: a new session, with empty key slots and no authentication.
   * Returns a token that `leave` needs, so a reader can only take away the card it holds.
   */
  enterField(): number {
    this.inField = true;
    this.session = null;
    this.keySlots.fill(undefined);
    this.plan = null;
    this.fieldToken += 1;
    return this.fieldToken;
  }

  /** The card leaves the field now; with a token, only if it is still that field session. */
  leave(token?: number): void {
    if (token !== undefined && token !== this.fieldToken) return;
    this.inField = false;
    this.session = null;
    this.plan = null;
  }

  /** Arms a removal mid-conversation (tearing tests); counts from now. */
  armVanish(plan: VanishPlan): void {
    this.plan = { vanish: plan, exchanges: 0, updates: 0 };
  }

  /** Shorthand: exchanges 1..n answer, the (n+1)th and all later ones fail as removed. */
  vanishAfter(exchanges: number, tornWrite: TornWrite = 'unchanged'): void {
    this.armVanish({ afterExchanges: exchanges, tornWrite });
  }

  /** Calls `listener` after every change to the card's memory, so a store can persist it. */
  onWrite(listener: () => void): () => void {
    this.writeListeners.add(listener);
    return () => this.writeListeners.delete(listener);
  }

  /** A copy of one block (tests, diagnostics). */
  block(block: number): Buffer {
    const b = this.memory[block];
    if (!b) throw new RangeError(`no block ${block}`);
    return Buffer.from(b);
  }

  toState(): VirtualCardState {
    return { format: STATE_FORMAT, uid: this.uidHex, blocks: this.memory.map((b) => b.toString('hex').toUpperCase()) };
  }

  /** Answers one APDU. Throws ValidatorError(CardRemoved) when the card is not, or no longer, in the field. */
  transmit(apdu: Buffer): Buffer {
    if (!this.inField) throw removed();
    if (this.plan && this.cutsThisExchange(apdu)) {
      const torn = this.plan.vanish.tornWrite ?? 'unchanged';
      if (apdu[1] === INS.updateBinary && torn === 'written') this.execute(apdu);
      this.leave();
      throw removed();
    }
    return this.execute(apdu);
  }

  private cutsThisExchange(apdu: Buffer): boolean {
    const plan = this.plan!;
    plan.exchanges += 1;
    if (apdu[1] === INS.updateBinary) plan.updates += 1;
    const v = plan.vanish;
    if ('afterExchanges' in v) return plan.exchanges > v.afterExchanges;
    return apdu[1] === INS.updateBinary && plan.updates >= v.duringUpdate;
  }

  private execute(apdu: Buffer): Buffer {
    if (apdu.length < 5) return swBytes(SW.wrongLength);
    const [cla, ins, p1, p2, p3] = [apdu[0]!, apdu[1]!, apdu[2]!, apdu[3]!, apdu[4]!];
    if (cla !== CLA) return swBytes(SW.claNotSupported);
    const data = apdu.subarray(5);
    switch (ins) {
      case INS.loadKey:
        if (data.length !== p3 || p3 !== KEY_SIZE) return swBytes(SW.wrongLength);
        return this.loadKey(p1, p2, data);
      case INS.authenticate:
        if (data.length !== p3 || p3 !== 5) return swBytes(SW.wrongLength);
        if (p1 !== 0 || p2 !== 0) return swBytes(SW.wrongP1P2);
        return this.authenticate(data);
      case INS.readBinary:
        if (apdu.length !== 5 || p3 !== BLOCK_SIZE) return swBytes(SW.wrongLength);
        return this.read((p1 << 8) | p2);
      case INS.updateBinary:
        if (data.length !== p3 || p3 !== BLOCK_SIZE) return swBytes(SW.wrongLength);
        return this.update((p1 << 8) | p2, data);
      case INS.getData:
        if (apdu.length !== 5) return swBytes(SW.wrongLength);
        return this.getData(p1, p2, p3);
      default:
        return swBytes(SW.insNotSupported);
    }
  }

  private loadKey(structure: number, slot: number, key: Buffer): Buffer {
    // P1 00: a plain key into the reader's volatile memory, as nfc-pcsc sends it; nothing else is modelled.
    if (structure !== 0x00 || slot >= KEY_SLOTS) return swBytes(SW.wrongP1P2);
    this.keySlots[slot] = Buffer.from(key);
    return swBytes(SW.ok);
  }

  private authenticate(data: Buffer): Buffer {
    const [version, msb, lsb, keyCode, slot] = [data[0]!, data[1]!, data[2]!, data[3]!, data[4]!];
    if (version !== 0x01 || (keyCode !== 0x60 && keyCode !== 0x61) || slot >= KEY_SLOTS) return swBytes(SW.wrongP1P2);
    const block = (msb << 8) | lsb;
    if (block >= BLOCKS) return swBytes(SW.blockNotFound);
    const key = this.keySlots[slot];
    if (!key) return swBytes(SW.notAllowed);
    const keyType: KeyType = keyCode === 0x60 ? 'A' : 'B';
    const sector = sectorOf(block);
    const trailer = this.memory[trailerOf(sector)]!;
    const cardKey = keyType === 'A' ? trailer.subarray(0, 6) : trailer.subarray(10, 16);
    if (decodeAccessBits(trailer.subarray(6, 9)) === null || !cardKey.equals(key)) {
      this.session = null;
      return swBytes(SW.failed);
    }
    this.session = { sector, keyType };
    return swBytes(SW.ok);
  }

  private read(block: number): Buffer {
    if (block >= BLOCKS) return swBytes(SW.blockNotFound);
    const key = this.grantedKey(block);
    if (!key) return this.deny();
    const access = this.accessOf(sectorOf(block))!;
    const stored = this.memory[block]!;
    if (!isTrailer(block)) {
      if (!dataBlockRights(access[indexInSector(block)]!).read.includes(key)) return this.deny();
      return Buffer.concat([stored, swBytes(SW.ok)]);
    }
    const rights = trailerRights(access[3]);
    const view = Buffer.alloc(BLOCK_SIZE);
    if (rights.accessRead.includes(key)) stored.copy(view, 6, 6, 10);
    if (rights.keyBRead.includes(key)) stored.copy(view, 10, 10, 16);
    return Buffer.concat([view, swBytes(SW.ok)]);
  }

  private update(block: number, data: Buffer): Buffer {
    if (block >= BLOCKS) return swBytes(SW.blockNotFound);
    const key = this.grantedKey(block);
    if (!key || block === 0) return this.deny();
    const access = this.accessOf(sectorOf(block))!;
    const stored = this.memory[block]!;
    if (!isTrailer(block)) {
      if (!dataBlockRights(access[indexInSector(block)]!).write.includes(key)) return this.deny();
      this.store(block, Buffer.from(data));
      return swBytes(SW.ok);
    }
    // A trailer write changes the parts the access bits let this key change and keeps the rest.
    const rights = trailerRights(access[3]);
    const parts: [boolean, number, number][] = [
      [rights.keyAWrite.includes(key), 0, 6],
      [rights.accessWrite.includes(key), 6, 10],
      [rights.keyBWrite.includes(key), 10, 16],
    ];
    if (!parts.some(([allowed]) => allowed)) return this.deny();
    const next = Buffer.from(stored);
    for (const [allowed, from, to] of parts) if (allowed) data.copy(next, from, from, to);
    this.store(block, next);
    return swBytes(SW.ok);
  }

  private getData(p1: number, p2: number, le: number): Buffer {
    if (p1 === 0x01) return swBytes(SW.functionNotSupported); // historical bytes: a Classic has no ATS
    if (p1 !== 0x00 || p2 !== 0x00) return swBytes(SW.wrongP1P2);
    const uid = this.uid;
    if (le !== 0 && le < uid.length) return swBytes(SW.wrongLe | uid.length);
    return Buffer.concat([uid, swBytes(SW.ok)]);
  }

  /** The key the block may be accessed with in this session, or null when it is not authenticated for it. */
  private grantedKey(block: number): KeyType | null {
    const s = this.session;
    if (!s || s.sector !== sectorOf(block)) return null;
    const access = this.accessOf(s.sector);
    if (!access) return null;
    if (s.keyType === 'B' && keyBIsData(access[3])) return null;
    return s.keyType;
  }

  private accessOf(sector: number): ReturnType<typeof decodeAccessBits> {
    return decodeAccessBits(this.memory[trailerOf(sector)]!.subarray(6, 9));
  }

  private deny(): Buffer {
    this.session = null;
    return swBytes(SW.securityNotSatisfied);
  }

  private store(block: number, data: Buffer): void {
    this.memory[block] = data;
    for (const listener of this.writeListeners) listener();
  }
}

/** Block check character: XOR of the UID bytes. */
function bcc(uid: Uint8Array): number {
  return uid.reduce((x, b) => x ^ b, 0);
}

function removed(): ValidatorError {
  return new ValidatorError(ErrorCode.CardRemoved, 'the card left the field');
}
