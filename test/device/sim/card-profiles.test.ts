import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/domain/errors.ts';
import { localDate } from '../../../src/domain/time.ts';
import { CARD_PROFILES, cardProfile, DENY_LISTED_CARD_NUMBER } from '../../../device/sim/card-profiles.ts';
import { CardStore } from '../../../device/sim/card-store.ts';
import { profileCard, type IssueOptions } from '../../../device/sim/profile-cards.ts';
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
        expect(read.data).toEqual({ uid: profile.uid, layoutVersion: 0, ...recipe.card(TODAY) });
      } else {
        const error = recipe.kind === 'blank' ? ErrorCode.CardAuthFailed : ErrorCode.CardUnreadable;
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
});
