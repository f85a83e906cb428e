import type { DenyAction } from '../domain/deny-list.ts';
import { keyOf, keyOfBytes, keyHalves, MAX_CARD_DIGITS } from './card-key.ts';

/**
 * One entry line of a list file: `{"op":"add","card":"…","reason":"…","action":"reject"|"block"}` or
 * `{"op":"remove","card":"…"}`.
 *
 * Ten million lines through JSON.parse take about 8 s on a server core and several times that on the
 * board, so the exact byte form the backend writes (the keys in that order, no spaces, no escapes in the
 * reason) is read straight from the bytes; any other spelling of the same JSON goes through JSON.parse and
 * the same checks. Both paths accept the same documents and give the same result (test/deny-list).
 */
export class ListLine {
  op: 'add' | 'remove' = 'add';
  /** The card's key (card-key.ts): [hi, lo]. */
  readonly key = keyHalves();
  reason = '';
  action: DenyAction = 'reject';

  /** Reads bytes[start … end) (no newline); returns null when it is a valid entry, else what is wrong. */
  read(bytes: Uint8Array, start: number, end: number): string | null {
    return this.readCanonical(bytes, start, end) ? null : this.readJson(bytes, start, end);
  }

  private readCanonical(b: Uint8Array, start: number, end: number): boolean {
    let p = start;
    const isAdd = startsWith(b, p, end, ADD_PREFIX);
    if (isAdd) p += ADD_PREFIX.length;
    else if (startsWith(b, p, end, REMOVE_PREFIX)) p += REMOVE_PREFIX.length;
    else return false;
    const digits = p;
    while (p < end && b[p] !== QUOTE) p++;
    if (p - digits > MAX_CARD_DIGITS || !keyOfBytes(b, digits, p, this.key)) return false;
    if (!isAdd) {
      if (!(end - p === REMOVE_SUFFIX.length && startsWith(b, p, end, REMOVE_SUFFIX))) return false;
      this.op = 'remove';
      this.reason = '';
      this.action = 'reject';
      return true;
    }
    if (!startsWith(b, p, end, REASON_INFIX)) return false;
    p += REASON_INFIX.length;
    const reasonStart = p;
    for (; p < end; p++) {
      const c = b[p]!;
      if (c === QUOTE) break;
      if (c < 0x20 || c > 0x7e || c === BACKSLASH) return false;
    }
    const reasonEnd = p;
    if (reasonEnd === reasonStart || reasonEnd - reasonStart > MAX_REASON_LENGTH) return false;
    if (!startsWith(b, p, end, ACTION_INFIX)) return false;
    p += ACTION_INFIX.length;
    let action: DenyAction;
    if (end - p === REJECT_SUFFIX.length && startsWith(b, p, end, REJECT_SUFFIX)) action = 'reject';
    else if (end - p === BLOCK_SUFFIX.length && startsWith(b, p, end, BLOCK_SUFFIX)) action = 'block';
    else return false;
    this.op = 'add';
    this.reason = this.intern(b, reasonStart, reasonEnd);
    this.action = action;
    return true;
  }

  /** Reasons seen on canonical lines, with their bytes: lines repeat a handful of reasons, so most lines make no string. */
  private readonly reasons: { readonly bytes: Uint8Array; readonly text: string }[] = [];
  private intern(b: Uint8Array, start: number, end: number): string {
    const length = end - start;
    for (const known of this.reasons) {
      if (known.bytes.length !== length) continue;
      let i = 0;
      while (i < length && known.bytes[i] === b[start + i]) i++;
      if (i === length) return known.text;
    }
    const text = Buffer.from(b.buffer, b.byteOffset + start, length).toString('latin1');
    if (this.reasons.length < MAX_INTERNED) this.reasons.push({ bytes: b.slice(start, end), text });
    return text;
  }

  private readJson(bytes: Uint8Array, start: number, end: number): string | null {
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8'));
    } catch (e) {
      return `not JSON (${(e as Error).message})`;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
    const fields = value as Record<string, unknown>;
    const { op, card } = fields;
    if (op !== 'add' && op !== 'remove') return `"op" must be "add" or "remove", not ${JSON.stringify(op)}`;
    const unknown = Object.keys(fields).filter((k) => !ENTRY_KEYS.has(k));
    if (unknown.length > 0) return `unknown field ${unknown.map((k) => JSON.stringify(k)).join(', ')} (an entry has op, card, reason, action)`;
    if (typeof card !== 'string' || !keyOf(card, this.key)) {
      return `"card" must be a string of 1 to ${MAX_CARD_DIGITS} digits (leading zeros count), not ${JSON.stringify(card)}`;
    }
    const { reason, action } = fields;
    // A remove may carry the reason and action it lifts: checked when present, then not needed.
    const optional = op === 'remove';
    const validReason = typeof reason === 'string' && reason.length > 0 && reason.length <= MAX_REASON_LENGTH && !/\p{Cc}/u.test(reason);
    if (!validReason && !(optional && reason === undefined)) {
      return `"reason" must be a string of 1 to ${MAX_REASON_LENGTH} characters without control characters, not ${JSON.stringify(reason)}`;
    }
    if (action !== 'reject' && action !== 'block' && !(optional && action === undefined)) {
      return `"action" must be "reject" or "block", not ${JSON.stringify(action)}`;
    }
    this.op = op;
    this.reason = op === 'add' ? (reason as string) : '';
    this.action = action === 'block' ? 'block' : 'reject';
    return null;
  }
}

export const MAX_REASON_LENGTH = 64;
/** Distinct reasons kept for reuse; a file with more is legal, only slower. */
const MAX_INTERNED = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const ascii = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const ADD_PREFIX = ascii('{"op":"add","card":"');
const REMOVE_PREFIX = ascii('{"op":"remove","card":"');
const REMOVE_SUFFIX = ascii('"}');
const REASON_INFIX = ascii('","reason":"');
const ACTION_INFIX = ascii('","action":"');
const REJECT_SUFFIX = ascii('reject"}');
const BLOCK_SUFFIX = ascii('block"}');
const ENTRY_KEYS = new Set(['op', 'card', 'reason', 'action']);

function startsWith(b: Uint8Array, at: number, end: number, prefix: Uint8Array): boolean {
  const n = prefix.length;
  if (end - at < n) return false;
  for (let i = 0; i < n; i++) if (b[at + i] !== prefix[i]) return false;
  return true;
}
