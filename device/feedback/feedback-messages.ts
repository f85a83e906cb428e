import type { Beep, Led } from '../../src/ports/feedback-unit.ts';

/** Command bytes (docs/feedback-protocol.md). Host to unit below 0x80, unit to host from 0x80. */
export const Command = {
  Show: 0x01,
  Led: 0x02,
  Beep: 0x03,
  Status: 0x04,
  Ack: 0x80,
  Nak: 0x81,
  StatusReport: 0x84,
  Hello: 0x90,
} as const;

/** Why a unit refused a command. */
export const NakReason = { UnknownCommand: 1, BadPayload: 2, Busy: 3 } as const;

/** Each line at most this many UTF-8 bytes; the host cuts longer text at a character boundary. */
export const MAX_LINE_BYTES = 160;

export const LED_CODES: Readonly<Record<Led, number>> = { off: 0, green: 1, red: 2, amber: 3 };
export const BEEP_CODES: Readonly<Record<Beep, number>> = { none: 0, short: 1, long: 2, double: 3 };

export interface ShowText {
  readonly line1: string;
  readonly line2: string;
  readonly rtl1: boolean;
  readonly rtl2: boolean;
}

/** What a unit says about itself in a STATUS report. */
export interface UnitStatus {
  /** False after power-up until the host's first SHOW: the unit shows nothing the host asked for. */
  readonly screenSet: boolean;
  readonly led: Led;
  readonly uptimeSeconds: number;
  readonly firmware: string;
}

/** True when the text's first strong character is right-to-left (Arabic script, Hebrew): the line's base direction. */
export function isRtl(text: string): boolean {
  const firstLetter = /\p{L}/u.exec(text)?.[0];
  return firstLetter !== undefined && /[\p{Script=Arabic}\p{Script=Hebrew}]/u.test(firstLetter);
}

/** SHOW payload: FLAGS (bit 0: line 1 RTL, bit 1: line 2 RTL), LEN1, LINE1, LEN2, LINE2. */
export function encodeShow(text: ShowText): Uint8Array {
  const a = utf8Prefix(text.line1, MAX_LINE_BYTES);
  const b = utf8Prefix(text.line2, MAX_LINE_BYTES);
  return Uint8Array.from([(text.rtl1 ? 1 : 0) | (text.rtl2 ? 2 : 0), a.length, ...a, b.length, ...b]);
}

/** Null when the payload is malformed (the unit NAKs it with BadPayload). */
export function decodeShow(payload: Uint8Array): ShowText | null {
  const flags = payload[0];
  const len1 = payload[1];
  if (flags === undefined || len1 === undefined || flags > 3) return null;
  const len2 = payload[2 + len1];
  if (len2 === undefined || payload.length !== 3 + len1 + len2) return null;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    return {
      line1: decoder.decode(payload.subarray(2, 2 + len1)),
      line2: decoder.decode(payload.subarray(3 + len1)),
      rtl1: (flags & 1) !== 0,
      rtl2: (flags & 2) !== 0,
    };
  } catch {
    return null;
  }
}

/** STATUS report payload: FLAGS (bit 0: screen set), LED, UPTIME (u32 BE seconds), FWLEN, FIRMWARE (ASCII). */
export function encodeStatus(status: UnitStatus): Uint8Array {
  const fw = Buffer.from(status.firmware, 'latin1').subarray(0, 32);
  const out = Buffer.alloc(7 + fw.length);
  out[0] = status.screenSet ? 1 : 0;
  out[1] = LED_CODES[status.led];
  out.writeUInt32BE(Math.min(status.uptimeSeconds, 0xffffffff), 2);
  out[6] = fw.length;
  out.set(fw, 7);
  return out;
}

export function decodeStatus(payload: Uint8Array): UnitStatus | null {
  const bytes = Buffer.from(payload);
  if (bytes.length < 7 || bytes.length !== 7 + bytes[6]!) return null;
  const led = codeName(LED_CODES, bytes[1]!);
  if (led === null) return null;
  return { screenSet: (bytes[0]! & 1) !== 0, led, uptimeSeconds: bytes.readUInt32BE(2), firmware: bytes.subarray(7).toString('latin1') };
}

/** The name of a LED or beep code, or null for an unknown code. */
export function codeName<T extends string>(codes: Readonly<Record<T, number>>, code: number): T | null {
  const entry = (Object.entries(codes) as [T, number][]).find(([, c]) => c === code);
  return entry ? entry[0] : null;
}

/** The longest prefix of the text that fits in max UTF-8 bytes, never splitting a character. */
function utf8Prefix(text: string, max: number): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= max) return bytes;
  let end = max;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end);
}
