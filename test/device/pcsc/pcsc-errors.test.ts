import { describe, expect, it } from 'vitest';
import { isKnownTransmitFailure, PCSC, pcscCode, transmitFailure } from '../../../device/pcsc/pcsc-errors.ts';
import { ErrorCode } from '../../../src/domain/errors.ts';

/** An error as nfc-pcsc throws it: its own TransmitError, pcsclite's in `previous`. */
function nfcError(message: string, code = 'failure'): Error {
  return Object.assign(new Error('An error occurred while transmitting.'), { name: 'TransmitError', code, previous: new Error(message) });
}

describe('PC/SC errors at the adapter edge', () => {
  it('finds the PC/SC code in pcsclite\'s message, also under nfc-pcsc\'s wrapper or a cause', () => {
    expect(pcscCode(new Error('SCardTransmit error: Card was removed.(0x80100069)'))).toBe(PCSC.W_REMOVED_CARD);
    expect(pcscCode(nfcError('SCardTransmit error: Transaction failed.(0x80100016)'))).toBe(PCSC.E_NOT_TRANSACTED);
    expect(pcscCode(new Error('outer', { cause: new Error('SCardConnect error: RPC transport error.(0x80100013)') }))).toBe(PCSC.F_COMM_ERROR);
    expect(pcscCode(new Error('no code here'))).toBeNull();
    expect(pcscCode('not an error')).toBeNull();
  });

  const cases: [string, Error, ErrorCode][] = [
    ['a card removed', nfcError('SCardTransmit error: Card was removed.(0x80100069)'), ErrorCode.CardRemoved],
    ['a card reset', nfcError('SCardTransmit error: Card was reset.(0x80100068)'), ErrorCode.CardRemoved],
    ['an exchange that broke off', nfcError('SCardTransmit error: Transaction failed.(0x80100016)'), ErrorCode.CardRemoved],
    ['no card', nfcError('SCardTransmit error: No smart card inserted.(0x8010000C)'), ErrorCode.CardRemoved],
    ['nfc-pcsc with no card connected', Object.assign(new Error('No card or connection available.'), { code: 'card_not_connected' }), ErrorCode.CardRemoved],
    ['pcsclite with no connection', new Error('Card Reader not connected'), ErrorCode.CardRemoved],
    ['pcscd gone', nfcError('SCardTransmit error: RPC transport error.(0x80100013)'), ErrorCode.ReaderUnavailable],
    ['a reader unplugged', nfcError('SCardTransmit error: Reader is unavailable.(0x80100017)'), ErrorCode.ReaderUnavailable],
    ['a handle from before a pcscd restart', nfcError('SCardTransmit error: Invalid handle.(0x80100003)'), ErrorCode.ReaderUnavailable],
    ['PC/SC\'s own timeout', nfcError('SCardTransmit error: Command timeout.(0x8010000A)'), ErrorCode.ReaderTimeout],
    ['a code this edge does not know', nfcError('SCardTransmit error: Unexpected.(0x80100021)'), ErrorCode.CardRemoved],
  ];
  for (const [what, error, code] of cases) {
    it(`maps ${what} to ${code}, keeping the original as the cause`, () => {
      const mapped = transmitFailure(error, 'front');
      expect(mapped.code).toBe(code);
      expect(mapped.cause).toBe(error);
      expect(mapped.message).toContain('front');
    });
  }

  it('tells the codes it knows from the ones worth a warning', () => {
    expect(isKnownTransmitFailure(nfcError('SCardTransmit error: Card was removed.(0x80100069)'))).toBe(true);
    expect(isKnownTransmitFailure(nfcError('SCardTransmit error: Unexpected.(0x80100021)'))).toBe(false);
  });
});
