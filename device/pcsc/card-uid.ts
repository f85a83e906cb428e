import { ErrorCode, ValidatorError } from '../../src/domain/errors.ts';
import type { ApduTransport } from '../mifare/apdu-transport.ts';
import { getUidApdu } from '../mifare/commands.ts';
import { toHex } from '../mifare/hex.ts';
import { formatSw, statusWord, SW } from '../mifare/status-words.ts';

/** ISO/IEC 14443-3 UIDs are single, double or triple size. */
const UID_LENGTHS: ReadonlySet<number> = new Set([4, 7, 10]);

/** The UID of the card in the field, by GET DATA (FF CA 00 00 00): one exchange. */
export async function readUid(transport: ApduTransport, timeoutMs: number): Promise<Buffer> {
  const response = await transport.exchange(getUidApdu(), timeoutMs);
  const sw = statusWord(response);
  const uid = response.subarray(0, Math.max(0, response.length - 2));
  if (sw !== SW.ok || !UID_LENGTHS.has(uid.length)) {
    throw new ValidatorError(ErrorCode.CardProtocol, `GET DATA for the UID answered ${toHex(response)} (SW ${formatSw(sw)}), not a 4, 7 or 10-byte UID`);
  }
  return Buffer.from(uid);
}
