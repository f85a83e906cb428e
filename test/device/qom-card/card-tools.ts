import { ErrorCode, isValidatorError } from '../../../src/domain/errors.ts';
import type { ClassicClient } from '../../../device/mifare/classic-client.ts';
import type { VirtualClassicCard } from '../../../device/mifare/virtual-classic-card.ts';
import type { CardRead } from '../../../device/qom-card/qom-card-codec.ts';
import { clientFor, codec, keys } from '../helpers.ts';

/** The card as a tap reads it now; the card leaves the field afterwards. */
export async function readBack(card: VirtualClassicCard): Promise<CardRead> {
  try {
    return await codec.readCard(clientFor(card), card.uid);
  } finally {
    card.leave();
  }
}

/** The code and message a rejection carries; fails the test when the work succeeds or throws something else. */
export async function failure(work: Promise<unknown>): Promise<{ code: ErrorCode; message: string }> {
  try {
    await work;
  } catch (e) {
    if (isValidatorError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a rejection');
}

/** Writes raw bytes into one of the card's Qom blocks with its own key B, as someone who cracked Crypto1 would. */
export async function poke(card: VirtualClassicCard, block: number, bytes: Buffer, uid: Buffer = card.uid): Promise<void> {
  const client = clientFor(card);
  try {
    await client.loadKey(0, keys.cardKey(uid, 'B'));
    await client.authenticate(block, 'B', 0);
    await client.writeBlock(block, bytes);
  } finally {
    card.leave();
  }
}

/** A read followed by a debit of `fare`, on one client; returns the card as written. */
export async function debit(client: ClassicClient, uid: Buffer, fare: number, lastTrip: CardRead['data']['lastTrip']): Promise<CardRead> {
  const read = await codec.readCard(client, uid);
  return codec.writePurse(client, read, { balance: read.data.balance - fare, counter: read.data.counter + 1, lastTrip });
}
