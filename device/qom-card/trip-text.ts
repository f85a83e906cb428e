import { ErrorCode, ValidatorError } from '../../src/domain/errors.ts';

/**
 * The last trip's route, stop, vehicle and device, packed into 24 bytes.
 *
 * They use the configuration's id alphabet [0-9A-Za-z-._] (65 characters). With a separator that makes
 * 66 symbols, a little over 6 bits each: the symbols s0, s1, ... of
 *   route ␟ stop ␟ vehicle ␟ device
 * (␟ = 0, a character = its index in ALPHABET + 1) form N = s0 + s1·66 + s2·66² + ..., stored as a 192-bit
 * big-endian number. 24 bytes hold 31 symbols: the four texts together take at most 28 characters.
 * ASCII would hold 21, too few for the default ids ("QOM-DEV-0001", "BUS-0001", "12").
 */
export const TRIP_TEXT_BYTES = 24;
export const TRIP_TEXT_MAX_CHARS = 28;
export const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-._';

const BASE = BigInt(ALPHABET.length + 1);
const MAX_SYMBOLS = TRIP_TEXT_MAX_CHARS + 3;

export interface TripText {
  readonly route: string;
  /** null and "" are the same on the card: no stop. */
  readonly stop: string | null;
  readonly vehicle: string;
  readonly device: string;
}

/** Why these texts cannot go on a card, or null when they fit. For checking configuration at start-up. */
export function tripTextProblem(text: TripText): string | null {
  const fields: [string, string][] = [
    ['route', text.route],
    ['stop', text.stop ?? ''],
    ['vehicle', text.vehicle],
    ['device', text.device],
  ];
  for (const [name, value] of fields) {
    const bad = [...value].find((c) => !ALPHABET.includes(c));
    if (bad !== undefined) return `${name} "${value}" has "${bad}", which the card cannot store: use letters, digits, "-", "." and "_"`;
  }
  const total = fields.reduce((n, [, v]) => n + v.length, 0);
  if (total > TRIP_TEXT_MAX_CHARS) {
    const list = fields.map(([name, v]) => `${name} ${v.length}`).join(', ');
    return `route, stop, vehicle and device take ${total} characters (${list}); the card holds ${TRIP_TEXT_MAX_CHARS} together`;
  }
  return null;
}

/** Packs the texts; throws BadRequest saying what does not fit. */
export function encodeTripText(text: TripText): Buffer {
  const problem = tripTextProblem(text);
  if (problem) throw new ValidatorError(ErrorCode.BadRequest, problem);
  const symbols = [text.route, text.stop ?? '', text.vehicle, text.device]
    .map((field) => [...field].map((c) => ALPHABET.indexOf(c) + 1))
    .flatMap((field, i) => (i === 0 ? field : [0, ...field]));
  let n = 0n;
  for (let i = symbols.length - 1; i >= 0; i--) n = n * BASE + BigInt(symbols[i]!);
  return Buffer.from(n.toString(16).padStart(TRIP_TEXT_BYTES * 2, '0'), 'hex');
}

/** The texts, or null when the bytes are not something encodeTripText writes. */
export function decodeTripText(bytes: Buffer): TripText | null {
  let n = BigInt(`0x${bytes.toString('hex') || '0'}`);
  const symbols: number[] = [];
  while (n > 0n) {
    symbols.push(Number(n % BASE));
    n /= BASE;
  }
  if (symbols.length > MAX_SYMBOLS) return null;
  const fields = [''];
  for (const s of symbols) {
    if (s === 0) fields.push('');
    else fields[fields.length - 1] += ALPHABET[s - 1]!;
  }
  if (fields.length > 4 || fields.join('').length > TRIP_TEXT_MAX_CHARS) return null;
  const [route = '', stop = '', vehicle = '', device = ''] = fields;
  return { route, stop: stop === '' ? null : stop, vehicle, device };
}
