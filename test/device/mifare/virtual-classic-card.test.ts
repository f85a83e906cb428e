import { beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, isValidatorError } from '../../../src/domain/errors.ts';
import { encodeAccessBits, type SectorAccess } from '../../../device/mifare/access-bits.ts';
import { VirtualClassicCard } from '../../../device/mifare/virtual-classic-card.ts';
import { send } from '../helpers.ts';

const OK = '9000';
const FF6 = 'FFFFFFFFFFFF';
const KEY_A = 'A1A2A3A4A5A6';
const KEY_B = 'B1B2B3B4B5B6';
const DATA = '00112233445566778899AABBCCDDEEFF';

const loadKey = (slot: number, key: string): string => `FF8200${hex(slot)}06${key}`;
const auth = (block: number, type: 'A' | 'B', slot = 0): string => `FF860000050100${hex(block)}${type === 'A' ? '60' : '61'}${hex(slot)}`;
const read = (block: number): string => `FFB000${hex(block)}10`;
const write = (block: number, data: string): string => `FFD600${hex(block)}10${data}`;
const trailer = (keyA: string, access: SectorAccess, keyB: string): string =>
  `${keyA}${encodeAccessBits(access).toString('hex').toUpperCase()}69${keyB}`;

function hex(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

function removedError(run: () => unknown): unknown {
  try {
    run();
  } catch (e) {
    return e;
  }
  throw new Error('expected the card to be gone');
}

describe('VirtualClassicCard', () => {
  let card: VirtualClassicCard;

  beforeEach(() => {
    card = VirtualClassicCard.blank(Buffer.from('04A1B2C3', 'hex'));
    card.enterField();
  });

  it('answers GET DATA with its UID and has block 0 = UID, BCC, SAK, ATQA', () => {
    expect(send(card, 'FFCA000000')).toBe('04A1B2C3' + OK);
    expect(send(card, 'FFCA010000')).toBe('6A81');
    expect(send(card, 'FFCA000002')).toBe('6C04');
    send(card, loadKey(0, FF6));
    send(card, auth(0, 'A'));
    expect(send(card, read(0)).slice(0, 16)).toBe('04A1B2C3D4080400'); // 04^A1^B2^C3 = D4
  });

  it('ships blank: zeroed data, transport keys, access bits FF 07 80; key A reads as zeros', () => {
    expect(send(card, loadKey(0, FF6))).toBe(OK);
    expect(send(card, auth(4, 'A'))).toBe(OK);
    expect(send(card, read(5))).toBe('0'.repeat(32) + OK);
    expect(send(card, read(7))).toBe('000000000000' + 'FF078069' + FF6 + OK);
  });

  it('authenticates with the right key and refuses a wrong one with 63 00, dropping the authentication', () => {
    send(card, loadKey(0, FF6));
    send(card, loadKey(1, '000000000000'));
    expect(send(card, auth(4, 'A', 0))).toBe(OK);
    expect(send(card, read(4))).toBe('0'.repeat(32) + OK);
    expect(send(card, auth(4, 'A', 1))).toBe('6300');
    expect(send(card, read(4))).toBe('6982');
  });

  it('refuses reads and writes without authentication of that sector (69 82) and forgets the session', () => {
    send(card, loadKey(0, FF6));
    expect(send(card, read(4))).toBe('6982');
    expect(send(card, write(4, DATA))).toBe('6982');
    send(card, auth(4, 'A'));
    expect(send(card, read(8))).toBe('6982'); // sector 2, while sector 1 is authenticated
    expect(send(card, read(4))).toBe('6982'); // the card halted: sector 1 must be authenticated again
    send(card, auth(4, 'A'));
    expect(send(card, write(5, DATA))).toBe(OK);
    expect(send(card, read(5))).toBe(DATA + OK);
  });

  it('keeps block 0 read-only', () => {
    send(card, loadKey(0, FF6));
    send(card, auth(0, 'A'));
    const before = card.block(0);
    expect(send(card, write(0, DATA))).toBe('6982');
    expect(card.block(0)).toEqual(before);
  });

  it('applies a trailer write: old keys stop working, new ones work, with the new access conditions', () => {
    send(card, loadKey(0, FF6));
    send(card, auth(4, 'A'));
    // Data blocks 100 (read A|B, write B), trailer 011: the Qom Card's conditions.
    expect(send(card, write(7, trailer(KEY_A, [4, 4, 4, 3], KEY_B)))).toBe(OK);
    expect(send(card, auth(4, 'A'))).toBe('6300');
    send(card, loadKey(0, KEY_A));
    send(card, loadKey(1, KEY_B));
    expect(send(card, auth(4, 'A', 0))).toBe(OK);
    expect(send(card, read(4))).toBe('0'.repeat(32) + OK);
    expect(send(card, write(4, DATA))).toBe('6982'); // key A may not write
    expect(send(card, auth(4, 'B', 1))).toBe(OK);
    expect(send(card, write(4, DATA))).toBe(OK);
    expect(send(card, read(7))).toBe('000000000000' + '78778869' + '000000000000' + OK); // key B not readable under 011
  });

  it('follows the data-block table: 011 is key B only, 010 read-only, 111 nothing', () => {
    send(card, loadKey(0, KEY_A));
    send(card, loadKey(1, KEY_B));
    const sector1 = (access: SectorAccess): void => {
      send(card, loadKey(0, FF6));
      send(card, auth(4, 'A'));
      expect(send(card, write(7, trailer(KEY_A, access, KEY_B)))).toBe(OK);
      send(card, loadKey(0, KEY_A));
    };
    sector1([3, 2, 7, 3]);
    send(card, auth(4, 'A'));
    expect(send(card, read(4))).toBe('6982');
    send(card, auth(4, 'B', 1));
    expect(send(card, read(4))).toBe('0'.repeat(32) + OK);
    expect(send(card, write(4, DATA))).toBe(OK);
    expect(send(card, read(5))).toBe('0'.repeat(32) + OK);
    expect(send(card, write(5, DATA))).toBe('6982');
    send(card, auth(4, 'B', 1));
    expect(send(card, read(6))).toBe('6982');
  });

  it('changes only the trailer parts the access bits allow (100: keys by B, access bits never)', () => {
    send(card, loadKey(0, FF6));
    send(card, auth(4, 'A'));
    send(card, write(7, trailer(KEY_A, [0, 0, 0, 4], KEY_B)));
    send(card, loadKey(1, KEY_B));
    send(card, auth(4, 'B', 1));
    const newKeyA = 'C1C2C3C4C5C6';
    expect(send(card, write(7, trailer(newKeyA, [0, 0, 0, 1], 'D1D2D3D4D5D6')))).toBe(OK);
    const stored = card.block(7).toString('hex').toUpperCase();
    expect(stored).toBe(newKeyA + encodeAccessBits([0, 0, 0, 4]).toString('hex').toUpperCase() + '69' + 'D1D2D3D4D5D6');
  });

  it('refuses memory access after authenticating with key B where key B is readable (transport conditions)', () => {
    send(card, loadKey(0, FF6));
    expect(send(card, auth(4, 'B'))).toBe(OK);
    expect(send(card, read(4))).toBe('6982');
  });

  it('blocks a sector for good when its access bits are written inconsistent', () => {
    send(card, loadKey(0, FF6));
    send(card, auth(4, 'A'));
    expect(send(card, write(7, `${FF6}FF078169${FF6}`))).toBe(OK);
    expect(send(card, auth(4, 'A'))).toBe('6300');
    expect(send(card, auth(4, 'B'))).toBe('6300');
    expect(send(card, auth(8, 'A'))).toBe(OK); // other sectors are not affected
  });

  it('answers malformed commands with the PC/SC status words', () => {
    expect(send(card, 'FF82')).toBe('6700');
    expect(send(card, '00B0000410')).toBe('6E00');
    expect(send(card, 'FF20000000')).toBe('6D00');
    expect(send(card, 'FFB0000420')).toBe('6700');
    expect(send(card, loadKey(2, FF6))).toBe('6B00');
    expect(send(card, auth(4, 'A', 1))).toBe('6986'); // slot 1 holds no key
    send(card, loadKey(0, FF6));
    expect(send(card, auth(64, 'A'))).toBe('6A82');
  });

  it('vanishes after its Nth exchange: the N+1th and all later exchanges fail as removed', () => {
    card.vanishAfter(2);
    expect(send(card, loadKey(0, FF6))).toBe(OK);
    expect(send(card, auth(4, 'A'))).toBe(OK);
    const e = removedError(() => send(card, read(4)));
    expect(isValidatorError(e, ErrorCode.CardRemoved)).toBe(true);
    expect(card.present).toBe(false);
    expect(isValidatorError(removedError(() => send(card, read(4))), ErrorCode.CardRemoved)).toBe(true);
    card.enterField(); // back in a field: a new session, keys and authentication gone
    expect(send(card, auth(4, 'A'))).toBe('6986');
  });

  it.each([
    ['unchanged', '0'.repeat(32)],
    ['written', DATA],
  ] as const)('leaves a block cut mid-write %s', (torn, expected) => {
    send(card, loadKey(0, FF6));
    send(card, auth(4, 'A'));
    card.armVanish({ duringUpdate: 1, tornWrite: torn });
    expect(send(card, read(5))).toBe('0'.repeat(32) + OK); // not an update: answered
    expect(isValidatorError(removedError(() => send(card, write(5, DATA))), ErrorCode.CardRemoved)).toBe(true);
    expect(card.block(5).toString('hex').toUpperCase()).toBe(expected);
  });

  it('reports every stored change, and only those', () => {
    let writes = 0;
    card.onWrite(() => (writes += 1));
    send(card, loadKey(0, FF6));
    send(card, auth(4, 'A'));
    send(card, write(4, DATA));
    send(card, write(0, DATA)); // refused
    expect(writes).toBe(1);
  });

  it('round-trips through its JSON form and rejects damaged state', () => {
    send(card, loadKey(0, FF6));
    send(card, auth(4, 'A'));
    send(card, write(5, DATA));
    const state = JSON.parse(JSON.stringify(card.toState())) as { blocks: string[]; uid: string };
    const copy = VirtualClassicCard.fromState(state);
    expect(copy.toState()).toEqual(card.toState());
    expect(copy.block(5).toString('hex').toUpperCase()).toBe(DATA);

    expect(() => VirtualClassicCard.fromState({ ...state, blocks: state.blocks.slice(1) })).toThrow(/64 blocks/);
    expect(() => VirtualClassicCard.fromState({ ...state, blocks: ['zz', ...state.blocks.slice(1)] })).toThrow(/block 0 is not 32 hex/);
    const badBcc = ['04A1B2C300' + state.blocks[0]!.slice(10), ...state.blocks.slice(1)];
    expect(() => VirtualClassicCard.fromState({ ...state, blocks: badBcc })).toThrow(/BCC/);
    expect(() => VirtualClassicCard.fromState({ ...state, uid: '01020304' })).toThrow(/does not match block 0/);
  });
});
