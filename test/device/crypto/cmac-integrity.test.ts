import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/domain/errors.ts';
import { aesCmac } from '../../../device/crypto/aes-cmac.ts';
import { CmacIntegrity, type MacKeySource } from '../../../device/crypto/cmac-integrity.ts';
import { FileKeyStore } from '../../../device/crypto/key-file.ts';
import { VirtualClassicCard } from '../../../device/mifare/virtual-classic-card.ts';
import { QomCardCodec } from '../../../device/qom-card/qom-card-codec.ts';
import { clientFor, issue, trip } from '../helpers.ts';
import { hex, keyDocument, useKeyDir } from './helpers.ts';

const UID = hex('04A1B2C3');
const MESSAGE = Buffer.alloc(60, 0x5a);

/** One fixed MAC key for every card: enough to check the tag's shape against plain AES-CMAC. */
const fixedKey: MacKeySource = { macKey: () => hex('2b7e151628aed2a6abf7158809cf4f3c') };

async function failureCode(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
  throw new Error('expected a rejection');
}

describe('CmacIntegrity', () => {
  it('is the first 4 bytes of AES-CMAC of UID ‖ message under the card key', () => {
    const integrity = new CmacIntegrity(fixedKey);
    expect(integrity.tagLength).toBe(4);
    const tag = integrity.tag(UID, MESSAGE);
    expect(tag).toEqual(aesCmac(hex('2b7e151628aed2a6abf7158809cf4f3c'), Buffer.concat([UID, MESSAGE])).subarray(0, 4));
    expect(integrity.verify(UID, MESSAGE, tag)).toBe(true);
    const altered = Buffer.from(MESSAGE);
    altered[59]! ^= 0x80;
    expect(integrity.verify(UID, altered, tag)).toBe(false);
    expect(integrity.verify(hex('04A1B2C4'), MESSAGE, tag)).toBe(false);
    expect(integrity.verify(UID, MESSAGE, Buffer.concat([tag, Buffer.of(0)]))).toBe(false);
    expect(integrity.verify(UID, MESSAGE, tag.subarray(0, 3))).toBe(false);
  });

  it('wipes each MAC key it is handed once used', () => {
    const handed: Buffer[] = [];
    const integrity = new CmacIntegrity({ macKey: () => (handed.push(hex('2b7e151628aed2a6abf7158809cf4f3c')), handed.at(-1)!) });
    integrity.verify(UID, MESSAGE, integrity.tag(UID, MESSAGE));
    expect(handed).toHaveLength(2);
    for (const key of handed) expect(key.equals(Buffer.alloc(16))).toBe(true);
  });

  it('is what the codec checks slots with, through verify: decoding never computes a tag to compare', async () => {
    const keys = FileKeyStore.fromText(JSON.stringify(keyDocument()), 'test keys');
    const cmac = new CmacIntegrity(keys);
    const calls = { tag: 0, verify: 0 };
    const spy = {
      name: cmac.name,
      tagLength: cmac.tagLength,
      tag: (uid: Buffer, message: Buffer): Buffer => (calls.tag++, cmac.tag(uid, message)),
      verify: (uid: Buffer, message: Buffer, tag: Buffer): boolean => (calls.verify++, cmac.verify(uid, message, tag)),
    };
    const codec = new QomCardCodec({ keys, integrity: spy });
    const card = VirtualClassicCard.blank(UID);
    await codec.personalize(clientFor(card), UID, issue());
    expect(calls).toEqual({ tag: 1, verify: 0 });
    await codec.readCard(clientFor(card), UID);
    expect(calls).toEqual({ tag: 1, verify: 1 });
  });

  describe('in the layout v1 codec with a FileKeyStore', () => {
    const dir = useKeyDir();

    it('personalizes, reads and debits a card with per-card keys and MAC', async () => {
      const keys = FileKeyStore.load(dir.writeKeyFile(keyDocument()));
      const codec = new QomCardCodec({ keys, integrity: new CmacIntegrity(keys) });
      const card = VirtualClassicCard.blank(UID);
      await codec.personalize(clientFor(card), UID, issue());
      card.leave();
      const read = await codec.readCard(clientFor(card), UID);
      const after = await codec.writePurse(clientFor(card), read, { counter: 1, balance: 463_000, lastTrip: trip() });
      card.leave();
      expect(after.data.balance).toBe(463_000);
      expect((await codec.readCard(clientFor(card), UID)).data).toEqual(after.data);
    });

    it('refuses a card from another key file at the Classic keys, and a forged slot at the MAC', async () => {
      const ours = FileKeyStore.load(dir.writeKeyFile(keyDocument()));
      const theirs = FileKeyStore.load(dir.writeKeyFile(keyDocument({ systemIdentifier: 'Elsewhere' })));
      const card = VirtualClassicCard.blank(UID);
      await new QomCardCodec({ keys: ours, integrity: new CmacIntegrity(ours) }).personalize(clientFor(card), UID, issue());
      card.leave();
      expect(await failureCode(new QomCardCodec({ keys: theirs, integrity: new CmacIntegrity(theirs) }).readCard(clientFor(card), UID))).toBe(
        ErrorCode.CardAuthFailed,
      );
      card.leave();
      // Someone who has the sector keys (Crypto1 is broken) but not the MAC key rewrites the purse.
      const forger = new QomCardCodec({ keys: ours, integrity: new CmacIntegrity(theirs) });
      const read = await new QomCardCodec({ keys: ours, integrity: new CmacIntegrity(ours) }).readCard(clientFor(card), UID);
      await forger.writePurse(clientFor(card), read, { counter: 1, balance: 9_999_999, lastTrip: null });
      card.leave();
      const honest = new QomCardCodec({ keys: ours, integrity: new CmacIntegrity(ours) });
      expect(await failureCode(honest.readCard(clientFor(card), UID))).toBe(ErrorCode.CardInvalid);
      card.leave();
    });

    it('reads a card whose every slot fails the MAC as invalid (forged), not unreadable', async () => {
      const ours = FileKeyStore.load(dir.writeKeyFile(keyDocument()));
      const theirs = FileKeyStore.load(dir.writeKeyFile(keyDocument({ systemIdentifier: 'Elsewhere' })));
      const card = VirtualClassicCard.blank(UID);
      await new QomCardCodec({ keys: ours, integrity: new CmacIntegrity(theirs) }).personalize(clientFor(card), UID, issue());
      card.leave();
      const honest = new QomCardCodec({ keys: ours, integrity: new CmacIntegrity(ours) });
      expect(await failureCode(honest.readCard(clientFor(card), UID))).toBe(ErrorCode.CardInvalid);
    });
  });
});
