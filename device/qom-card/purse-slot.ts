import type { CardStatus, LastTrip } from '../../src/domain/card.ts';
import { ErrorCode, ValidatorError } from '../../src/domain/errors.ts';
import { BLOCK_SIZE } from '../mifare/geometry.ts';
import type { IntegrityCheck } from './integrity.ts';
import { decodeTripText, encodeTripText, TRIP_TEXT_BYTES } from './trip-text.ts';

/**
 * One purse slot: a head block beside the card info and two body blocks in the slot's own sector.
 *   head  0..3   transaction counter, unsigned, big-endian
 *         4..7   balance in rials, signed
 *         8..11  last trip time, Unix seconds; 0 = no last trip (then every trip field is zero)
 *         12..14 last trip amount in rials, unsigned 24-bit
 *         15     bit 7: blocked; bits 0..6: transfers used in the chain (0..127)
 *   body  0..3   chain start, Unix seconds
 *         4..27  route, stop, vehicle, device (trip-text.ts)
 *         28..31 MAC: the first 4 bytes of AES-CMAC over UID ‖ info block ‖ head ‖ body 0..27
 */
export interface PurseState {
  readonly counter: number;
  readonly balance: number;
  readonly status: CardStatus;
  readonly lastTrip: LastTrip | null;
}

export interface SlotImage {
  readonly head: Buffer;
  readonly body: readonly [Buffer, Buffer];
}

/** What a slot's MAC says: valid, mismatch (altered, forged, torn), blank (never written), or valid but undecodable. */
export type MacStatus = 'valid' | 'mismatch' | 'blank' | 'undecodable';

export type SlotReading =
  | { readonly mac: 'valid'; readonly purse: PurseState }
  /** `claimed`: what the bytes say, not to be trusted; null when they do not even decode. */
  | { readonly mac: 'mismatch'; readonly claimed: PurseState | null }
  | { readonly mac: 'blank' }
  /** The MAC holds, so this system wrote it, but the content breaks the layout's rules. */
  | { readonly mac: 'undecodable'; readonly why: string };

const TEXT_AT = 4;
const MAC_AT = TEXT_AT + TRIP_TEXT_BYTES;
/** Layout v1 keeps 4 bytes for the MAC (body bytes 28..31). */
export const MAC_LENGTH = 4;
const BLOCKED = 0x80;
const TRANSFERS = 0x7f;
const U24 = 0xff_ffff;
const U32 = 0xffff_ffff;

/** The blocks of a slot holding `purse`; throws BadRequest naming any field that does not fit. */
export function encodeSlot(uid: Buffer, info: Buffer, purse: PurseState, integrity: IntegrityCheck): SlotImage {
  checkTagLength(integrity);
  const head = Buffer.alloc(BLOCK_SIZE);
  const body = Buffer.alloc(BLOCK_SIZE * 2);
  head.writeUInt32BE(check('counter', purse.counter, 0, U32), 0);
  head.writeInt32BE(check('balance', purse.balance, -0x8000_0000, 0x7fff_ffff), 4);
  const trip = purse.lastTrip;
  let transfers = 0;
  if (trip) {
    head.writeUInt32BE(check('last trip time (seconds)', Math.floor(trip.time / 1000), 1, U32), 8);
    head.writeUIntBE(check('last trip amount', trip.amount, 0, U24), 12, 3);
    transfers = check('transfers used', trip.transfersUsed, 0, TRANSFERS);
    body.writeUInt32BE(check('chain start (seconds)', Math.floor(trip.chainStart / 1000), 0, U32), 0);
    encodeTripText(trip).copy(body, TEXT_AT);
  }
  head[15] = (purse.status === 'blocked' ? BLOCKED : 0) | transfers;
  integrity.tag(uid, macInput(info, head, body)).copy(body, MAC_AT);
  return { head, body: [body.subarray(0, BLOCK_SIZE), body.subarray(BLOCK_SIZE)] };
}

/** What a slot holds, checked against its MAC in constant time. Never throws on the card's bytes. */
export function decodeSlot(uid: Buffer, info: Buffer, image: SlotImage, integrity: IntegrityCheck): SlotReading {
  checkTagLength(integrity);
  const { head } = image;
  const body = Buffer.concat(image.body);
  if (head.every((b) => b === 0) && body.every((b) => b === 0)) return { mac: 'blank' };
  const fields = decodeFields(head, body);
  if (!integrity.verify(uid, macInput(info, head, body), body.subarray(MAC_AT, MAC_AT + MAC_LENGTH))) {
    return { mac: 'mismatch', claimed: fields.ok ? fields.purse : null };
  }
  return fields.ok ? { mac: 'valid', purse: fields.purse } : { mac: 'undecodable', why: fields.why };
}

/** The counter a head claims, before its slot is checked: only for choosing which slot to try first. */
export function headCounter(head: Buffer): number {
  return head.readUInt32BE(0);
}

type Fields = { readonly ok: true; readonly purse: PurseState } | { readonly ok: false; readonly why: string };

function decodeFields(head: Buffer, body: Buffer): Fields {
  const counter = head.readUInt32BE(0);
  const balance = head.readInt32BE(4);
  const seconds = head.readUInt32BE(8);
  const status: CardStatus = (head[15]! & BLOCKED) !== 0 ? 'blocked' : 'active';
  if (seconds === 0) {
    const noTrip = head.subarray(12, 15).every((b) => b === 0) && (head[15]! & TRANSFERS) === 0 && body.subarray(0, MAC_AT).every((b) => b === 0);
    return noTrip ? { ok: true, purse: { counter, balance, status, lastTrip: null } } : { ok: false, why: 'trip fields set without a trip time' };
  }
  const text = decodeTripText(body.subarray(TEXT_AT, MAC_AT));
  if (!text) return { ok: false, why: 'the trip text does not decode' };
  const lastTrip: LastTrip = {
    time: seconds * 1000,
    route: text.route,
    stop: text.stop,
    amount: head.readUIntBE(12, 3),
    vehicle: text.vehicle,
    device: text.device,
    transfersUsed: head[15]! & TRANSFERS,
    chainStart: body.readUInt32BE(0) * 1000,
  };
  return { ok: true, purse: { counter, balance, status, lastTrip } };
}

/** What the MAC covers after the UID (the integrity check puts the UID first): info ‖ head ‖ body 0..27. */
function macInput(info: Buffer, head: Buffer, body: Buffer): Buffer {
  return Buffer.concat([info, head, body.subarray(0, MAC_AT)]);
}

function checkTagLength(integrity: IntegrityCheck): void {
  if (integrity.tagLength !== MAC_LENGTH) {
    throw new RangeError(`layout v1 has room for a ${MAC_LENGTH}-byte tag; ${integrity.name} makes ${integrity.tagLength}`);
  }
}

function check(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ValidatorError(ErrorCode.BadRequest, `${name} ${value} does not fit on the card: an integer from ${min} to ${max}`);
  }
  return value;
}
