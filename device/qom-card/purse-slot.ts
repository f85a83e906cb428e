import type { LastTrip } from '../../src/domain/card.ts';
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
 *         15     transfers used
 *   body  0..3   chain start, Unix seconds
 *         4..27  route, stop, vehicle, device (trip-text.ts)
 *         28..31 integrity tag over UID ‖ info block ‖ head ‖ body 0..27
 */
export interface PurseState {
  readonly counter: number;
  readonly balance: number;
  readonly lastTrip: LastTrip | null;
}

export interface SlotImage {
  readonly head: Buffer;
  readonly body: readonly [Buffer, Buffer];
}

export type SlotReading =
  | { readonly ok: true; readonly purse: PurseState }
  | { readonly ok: false; readonly why: string; readonly tagMismatch: boolean };

const TEXT_AT = 4;
const TAG_AT = TEXT_AT + TRIP_TEXT_BYTES;
const U24 = 0xff_ffff;
const U32 = 0xffff_ffff;

/** The blocks of a slot holding `purse`; throws BadRequest naming any field that does not fit. */
export function encodeSlot(uid: Buffer, info: Buffer, purse: PurseState, integrity: IntegrityCheck): SlotImage {
  const head = Buffer.alloc(BLOCK_SIZE);
  const body = Buffer.alloc(BLOCK_SIZE * 2);
  head.writeUInt32BE(check('counter', purse.counter, 0, U32), 0);
  head.writeInt32BE(check('balance', purse.balance, -0x8000_0000, 0x7fff_ffff), 4);
  const trip = purse.lastTrip;
  if (trip) {
    head.writeUInt32BE(check('last trip time (seconds)', Math.floor(trip.time / 1000), 1, U32), 8);
    head.writeUIntBE(check('last trip amount', trip.amount, 0, U24), 12, 3);
    head[15] = check('transfers used', trip.transfersUsed, 0, 0xff);
    body.writeUInt32BE(check('chain start (seconds)', Math.floor(trip.chainStart / 1000), 0, U32), 0);
    encodeTripText(trip).copy(body, TEXT_AT);
  }
  tag(uid, info, head, body, integrity).copy(body, TAG_AT);
  return { head, body: [body.subarray(0, BLOCK_SIZE), body.subarray(BLOCK_SIZE)] };
}

/** The purse a slot holds, or why it holds none (torn, never written, corrupted). */
export function decodeSlot(uid: Buffer, info: Buffer, image: SlotImage, integrity: IntegrityCheck): SlotReading {
  const { head } = image;
  const body = Buffer.concat(image.body);
  if (!tag(uid, info, head, body, integrity).equals(body.subarray(TAG_AT, TAG_AT + integrity.tagLength))) {
    return { ok: false, why: `${integrity.name} mismatch`, tagMismatch: true };
  }
  const counter = head.readUInt32BE(0);
  const balance = head.readInt32BE(4);
  const seconds = head.readUInt32BE(8);
  if (seconds === 0) {
    const empty = head.subarray(12).every((b) => b === 0) && body.subarray(0, TAG_AT).every((b) => b === 0);
    return empty ? { ok: true, purse: { counter, balance, lastTrip: null } } : malformed('trip fields set without a trip time');
  }
  const text = decodeTripText(body.subarray(TEXT_AT, TAG_AT));
  if (!text) return malformed('the trip text does not decode');
  const lastTrip: LastTrip = {
    time: seconds * 1000,
    route: text.route,
    stop: text.stop,
    amount: head.readUIntBE(12, 3),
    vehicle: text.vehicle,
    device: text.device,
    transfersUsed: head[15]!,
    chainStart: body.readUInt32BE(0) * 1000,
  };
  return { ok: true, purse: { counter, balance, lastTrip } };
}

/** The counter a head claims, before its slot is checked: only for choosing which slot to try first. */
export function headCounter(head: Buffer): number {
  return head.readUInt32BE(0);
}

function tag(uid: Buffer, info: Buffer, head: Buffer, body: Buffer, integrity: IntegrityCheck): Buffer {
  if (integrity.tagLength !== 4) throw new RangeError(`layout v0 has room for a 4-byte tag; ${integrity.name} makes ${integrity.tagLength}`);
  return integrity.tag(uid, Buffer.concat([info, head, body.subarray(0, TAG_AT)]));
}

function check(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ValidatorError(ErrorCode.BadRequest, `${name} ${value} does not fit on the card: an integer from ${min} to ${max}`);
  }
  return value;
}

function malformed(why: string): SlotReading {
  return { ok: false, why, tagMismatch: false };
}
