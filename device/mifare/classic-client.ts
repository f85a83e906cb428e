import { ErrorCode, ValidatorError } from '../../src/domain/errors.ts';
import { silentLogger, type Logger } from '../../src/log/logger.ts';
import { decodeAccessBits } from './access-bits.ts';
import type { ApduTransport } from './apdu-transport.ts';
import {
  authenticateApdu,
  getUidApdu,
  INS,
  loadKeyApdu,
  readBinaryApdu,
  updateBinaryApdu,
} from './commands.ts';
import { BLOCK_SIZE, isBlockNumber, isTrailer, sectorOf, type KeyType } from './geometry.ts';
import { toHex } from './hex.ts';
import { formatSw, statusWord, SW } from './status-words.ts';

export interface ClassicClientOptions {
  /** The longest one exchange may take; a transport may shorten it (the tap's deadline). */
  readonly exchangeTimeoutMs: number;
  /** Hex dumps of every exchange at debug level, key bytes masked. */
  readonly log?: Logger;
}

/**
 * MIFARE Classic over PC/SC pseudo-APDUs. This is the edge where status words become ValidatorErrors:
 * nothing above it sees a status word.
 */
export class ClassicClient {
  private count = 0;
  /** What each reader key slot holds, as far as this client loaded it: a key already there is not sent again. */
  private readonly slots = new Map<number, string>();
  private readonly log: Logger;

  constructor(
    private readonly transport: ApduTransport,
    private readonly options: ClassicClientOptions,
  ) {
    this.log = options.log ?? silentLogger;
  }

  /** APDU exchanges attempted so far. */
  get exchanges(): number {
    return this.count;
  }

  /** Puts a key into a reader key slot, unless this client already put that very key there. */
  async loadKey(slot: number, key: Buffer): Promise<void> {
    const hex = key.toString('hex');
    if (this.slots.get(slot) === hex) return;
    this.slots.delete(slot);
    const { sw } = await this.send(loadKeyApdu(slot, key));
    if (sw !== SW.ok) throw protocolError(sw, `loading key slot ${slot}`);
    this.slots.set(slot, hex);
  }

  /** Authenticates the sector of `block` with the key in `slot`. */
  async authenticate(block: number, keyType: KeyType, slot: number): Promise<void> {
    checkBlock(block);
    const { sw } = await this.send(authenticateApdu(block, keyType, slot));
    if (sw === SW.ok) return;
    if (sw === SW.failed) {
      throw new ValidatorError(ErrorCode.CardAuthFailed, `sector ${sectorOf(block)} refused key ${keyType} (reader answered ${formatSw(sw)})`);
    }
    throw protocolError(sw, `authenticating sector ${sectorOf(block)} with key ${keyType} from slot ${slot}`);
  }

  /** Reads one block of 16 bytes from the authenticated sector. */
  async readBlock(block: number): Promise<Buffer> {
    checkBlock(block);
    const { sw, data } = await this.send(readBinaryApdu(block));
    if (sw !== SW.ok) throw accessError(sw, `reading block ${block}`);
    if (data.length !== BLOCK_SIZE) {
      throw new ValidatorError(ErrorCode.CardProtocol, `reading block ${block}: expected ${BLOCK_SIZE} bytes, got ${data.length}`);
    }
    return data;
  }

  /** Writes one block of 16 bytes in the authenticated sector. Resolves once the card confirmed it. */
  async writeBlock(block: number, data: Buffer): Promise<void> {
    checkBlock(block);
    if (isTrailer(block) && decodeAccessBits(data.subarray(6, 9)) === null) {
      // The card would take it and lock the sector for good (MF1S50 8.7.1): never send that.
      throw new ValidatorError(
        ErrorCode.BadRequest,
        `refusing to write sector trailer ${block}: access bytes ${toHex(data.subarray(6, 9))} are inconsistent and would block sector ${sectorOf(block)} forever`,
      );
    }
    const { sw } = await this.send(updateBinaryApdu(block, data));
    if (sw !== SW.ok) throw accessError(sw, `writing block ${block}`);
  }

  /** The UID of the card in the field. */
  async getUid(): Promise<Buffer> {
    const { sw, data } = await this.send(getUidApdu());
    if (sw !== SW.ok) throw protocolError(sw, 'getting the UID');
    if (data.length === 0) throw new ValidatorError(ErrorCode.CardProtocol, 'getting the UID: the reader returned no bytes');
    return data;
  }

  private async send(apdu: Buffer): Promise<{ sw: number; data: Buffer }> {
    this.count += 1;
    const n = this.count;
    this.log.debug(() => `#${n} => ${traceApdu(apdu)}`);
    const response = await this.transport.exchange(apdu, this.options.exchangeTimeoutMs);
    this.log.debug(() => `#${n} <= ${toHex(response)}`);
    if (response.length < 2) {
      throw new ValidatorError(ErrorCode.CardProtocol, `response to ${toHex(apdu.subarray(0, 2))} has no status word: ${toHex(response)}`);
    }
    return { sw: statusWord(response), data: response.subarray(0, response.length - 2) };
  }
}

function checkBlock(block: number): void {
  if (!isBlockNumber(block)) throw new RangeError(`no block ${block} on a MIFARE Classic 1K`);
}

function accessError(sw: number, what: string): ValidatorError {
  if (sw === SW.securityNotSatisfied) {
    return new ValidatorError(
      ErrorCode.CardAuthFailed,
      `${what}: security status not satisfied (${formatSw(sw)}): the sector is not authenticated or its access bits forbid this key`,
    );
  }
  return protocolError(sw, what);
}

function protocolError(sw: number, what: string): ValidatorError {
  return new ValidatorError(ErrorCode.CardProtocol, `${what}: the reader answered ${formatSw(sw)}`);
}

/** Keys do not belong in logs, not even debug ones. */
function traceApdu(apdu: Buffer): string {
  if (apdu[1] !== INS.loadKey || apdu.length <= 5) return toHex(apdu);
  return `${toHex(apdu.subarray(0, 5))}${' **'.repeat(apdu.length - 5)}`;
}
