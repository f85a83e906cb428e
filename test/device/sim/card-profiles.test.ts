import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/domain/errors.ts';
import { localDate } from '../../../src/domain/time.ts';
import { CARD_PROFILES, cardProfile, DENY_LISTED_CARD_NUMBER } from '../../../device/sim/card-profiles.ts';
import { CardStore } from '../../../device/sim/card-store.ts';
import { profileCard, type IssueOptions } from '../../../device/sim/profile-cards.ts';
import { CmacIntegrity } from '../../../device/crypto/cmac-integrity.ts';
import { FileKeyStore } from '../../../device/crypto/key-file.ts';
import { QomCardCodec } from '../../../device/qom-card/qom-card-codec.ts';
import { clientFor, codec, keys, NOON, trip } from '../helpers.ts';

const TODAY = localDate(NOON, 'Asia/Tehran');
const options: IssueOptions = { codec, keys, now: NOON, timeZone: 'Asia/Tehran', randomBytes: (n) => Buffer.alloc(n, 0xa5) };

function wallet(): CardStore {
  return new CardStore(mkdtempSync(join(tmpdir(), 'qom-profiles-')));
}

async function readProfile(store: CardStore, name: string): Promise<Awaited<ReturnType<typeof codec.readCard>>> {
  const profile = cardProfile(name);
  const card = await profileCard(store, profile, options);
  try {
    return await codec.readCard(clientFor(card), card.uid);
  } finally {
    card.leave();
  }
}

describe('card profiles', () => {
  it('have distinct names, keys, UIDs and numbers', () => {
    for (const field of ['name', 'key', 'uid'] as const) {
      expect(new Set(CARD_PROFILES.map((p) => p[field])).size).toBe(CARD_PROFILES.length);
    }
    const numbers = CARD_PROFILES.flatMap((p) => (p.recipe.kind === 'qom' ? [p.recipe.card(TODAY).number] : []));
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(cardProfile('deny-listed').recipe).toMatchObject({ kind: 'qom' });
    expect(numbers).toContain(DENY_LISTED_CARD_NUMBER);
    expect(() => cardProfile('platinum')).toThrow(expect.objectContaining({ code: ErrorCode.NotFound, message: expect.stringMatching(/there are: adult, student/) as unknown }));
  });

  it('each issues through the codec and reads back as its recipe says', async () => {
    const store = wallet();
    for (const profile of CARD_PROFILES) {
      const { recipe } = profile;
      if (recipe.kind === 'qom') {
        const read = await readProfile(store, profile.name);
        expect(read.data).toEqual({ uid: profile.uid, layoutVersion: 1, ...recipe.card(TODAY) });
      } else {
        const error = recipe.kind === 'blank' ? ErrorCode.CardNotIssued : ErrorCode.CardUnreadable;
        await expect(readProfile(store, profile.name)).rejects.toMatchObject({ code: error });
      }
    }
    expect(store.list()).toEqual(CARD_PROFILES.map((p) => p.uid).sort());
  });

  it('make the cards a technician expects', async () => {
    const store = wallet();
    expect((await readProfile(store, 'adult')).data).toMatchObject({ category: 'adult', balance: 500_000, status: 'active' });
    expect((await readProfile(store, 'student')).data.category).toBe('student');
    expect((await readProfile(store, 'senior')).data.category).toBe('senior');
    expect((await readProfile(store, 'low-balance')).data.balance).toBeLessThan(37_000);
    const expired = (await readProfile(store, 'expired')).data;
    expect(expired.expires < TODAY && expired.issued < expired.expires).toBe(true);
    expect((await readProfile(store, 'blocked')).data.status).toBe('blocked');
    expect((await readProfile(store, 'deny-listed')).data.number).toBe(DENY_LISTED_CARD_NUMBER);
    const adult = (await readProfile(store, 'adult')).data;
    expect(adult.issued <= TODAY && TODAY <= adult.expires).toBe(true);
  });

  it('tap the same card every time: a debit stays on it, across wallet reloads', async () => {
    const store = wallet();
    const card = await profileCard(store, cardProfile('adult'), options);
    const client = clientFor(card);
    const read = await codec.readCard(client, card.uid);
    await codec.writePurse(client, read, { balance: 463_000, counter: 1, lastTrip: trip() });
    card.leave();
    expect(await profileCard(store, cardProfile('adult'), options)).toBe(card);
    const reloaded = new CardStore(store.dir);
    const again = await profileCard(reloaded, cardProfile('adult'), { ...options, now: NOON + 400 * 86_400_000 });
    const client2 = clientFor(again);
    expect((await codec.readCard(client2, again.uid)).data).toMatchObject({ balance: 463_000, counter: 1, issued: read.data.issued });
  });

  it('issue again a stored card that no longer reads: another key file, another layout; keep one that does', async () => {
    const store = wallet();
    const otherKeys = FileKeyStore.fromText(
      JSON.stringify({ version: 1, systemIdentifier: 'Elsewhere', masterKeys: { sector: '11'.repeat(16), mac: '22'.repeat(16) } }),
      'other test keys',
    );
    const elsewhere = { ...options, keys: otherKeys, codec: new QomCardCodec({ keys: otherKeys, integrity: new CmacIntegrity(otherKeys) }) };
    const old = await profileCard(store, cardProfile('adult'), elsewhere);
    const oldGarbage = await profileCard(store, cardProfile('garbage'), elsewhere);
    const oldBlank = await profileCard(store, cardProfile('blank'), elsewhere);
    await expect(codec.readCard(clientFor(old), old.uid)).rejects.toMatchObject({ code: ErrorCode.CardAuthFailed });
    old.leave();

    const reloaded = new CardStore(store.dir);
    const fresh = await profileCard(reloaded, cardProfile('adult'), options);
    expect(fresh).not.toBe(old);
    expect((await codec.readCard(clientFor(fresh), fresh.uid)).data).toMatchObject({ number: '9826000000001001', balance: 500_000, layoutVersion: 1 });
    fresh.leave();
    expect(new CardStore(store.dir).load(fresh.uidHex)?.toState()).toEqual(fresh.toState());
    const garbage = await profileCard(reloaded, cardProfile('garbage'), options);
    expect(garbage.toState()).not.toEqual(oldGarbage.toState());
    await expect(codec.readCard(clientFor(garbage), garbage.uid)).rejects.toMatchObject({ code: ErrorCode.CardUnreadable });
    garbage.leave();
    expect((await profileCard(reloaded, cardProfile('blank'), options)).toState()).toEqual(oldBlank.toState());

    // A card that reads is kept, with what was written to it.
    const client = clientFor(fresh);
    const read = await codec.readCard(client, fresh.uid);
    await codec.writePurse(client, read, { balance: 1, counter: 1, lastTrip: null });
    fresh.leave();
    expect(await profileCard(new CardStore(store.dir), cardProfile('adult'), options)).toMatchObject({ uidHex: fresh.uidHex });
    const kept = await profileCard(new CardStore(store.dir), cardProfile('adult'), options);
    expect((await codec.readCard(clientFor(kept), kept.uid)).data.balance).toBe(1);
    kept.leave();
  });
});
