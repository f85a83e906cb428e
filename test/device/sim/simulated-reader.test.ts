import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CardPresentation, ReaderState } from '../../../src/ports/card-reader.ts';
import { ErrorCode } from '../../../src/domain/errors.ts';
import { Deadline } from '../../../src/domain/time.ts';
import { cardProfile } from '../../../device/sim/card-profiles.ts';
import { CardStore } from '../../../device/sim/card-store.ts';
import { presentProfile, profileCard } from '../../../device/sim/profile-cards.ts';
import { SimulatedReader } from '../../../device/sim/simulated-reader.ts';
import { VirtualClassicCard } from '../../../device/mifare/virtual-classic-card.ts';
import { codec, FakeClock, issuedCard, keys, NOON, trip, UID } from '../helpers.ts';

function reader(clock: FakeClock, latency = 0): SimulatedReader {
  let n = 0;
  return new SimulatedReader({
    id: 'front',
    codec,
    clock,
    ids: { uuid: () => `p-${++n}` },
    exchangeTimeoutMs: 150,
    latency,
    sleep: clock.sleep,
  });
}

async function debit(p: CardPresentation, deadline: Deadline): Promise<void> {
  const data = await p.read(deadline);
  await p.writePurse({ balance: data.balance - 37_000, counter: data.counter + 1, lastTrip: trip() }, deadline);
}

describe('SimulatedReader', () => {
  it('reports its state, goes absent when unplugged, and refuses cards then', async () => {
    const clock = new FakeClock();
    const r = reader(clock);
    const states: ReaderState[] = [];
    r.state$.subscribe((s) => states.push(s));
    r.unplug('USB cable pulled');
    expect(() => r.present(VirtualClassicCard.blank(UID))).toThrow(expect.objectContaining({ code: ErrorCode.ReaderUnavailable }));
    r.plug();
    await r.close();
    expect(states).toEqual([
      { kind: 'ready', name: 'Simulated reader front' },
      { kind: 'absent', reason: 'USB cable pulled' },
      { kind: 'ready', name: 'Simulated reader front' },
    ]);
    expect(() => r.present(VirtualClassicCard.blank(UID))).toThrow(/closed/);
  });

  it('emits a presentation that reads and debits the card through APDUs, with per-exchange latency', async () => {
    const clock = new FakeClock();
    const r = reader(clock, 3);
    const seen: CardPresentation[] = [];
    r.presentations$.subscribe((p) => seen.push(p));
    const card = await issuedCard();
    const start = clock.monotonic();
    const p = r.present(card);
    expect(seen).toEqual([p]);
    expect(p).toMatchObject({ id: 'p-1', reader: 'front', uid: '04A1B2C3', detectedAt: start });
    await debit(p, new Deadline(clock, p.detectedAt + 300));
    expect(clock.monotonic() - start).toBe(13 * 3);
    expect(card.block(12).equals(Buffer.alloc(16))).toBe(false); // slot B's body now holds the trip
  });

  it('fails the presentation as removed when the card is taken away, or the reader unplugged', async () => {
    const clock = new FakeClock();
    const r = reader(clock, 2);
    const card = await issuedCard();
    let p = r.present(card);
    const reading = p.read(Deadline.in(clock, 300));
    r.remove();
    await expect(reading).rejects.toMatchObject({ code: ErrorCode.CardRemoved });

    p = r.present(card);
    const again = p.read(Deadline.in(clock, 300));
    r.unplug();
    await expect(again).rejects.toMatchObject({ code: ErrorCode.ReaderUnavailable });
  });

  it('ends an earlier presentation of the same card when it is presented again', async () => {
    const clock = new FakeClock();
    const r = reader(clock);
    const card = await issuedCard();
    const first = r.present(card);
    const second = r.present(card);
    await expect(first.read(Deadline.in(clock, 300))).rejects.toMatchObject({ code: ErrorCode.CardRemoved });
    expect(await second.read(Deadline.in(clock, 300))).toMatchObject({ counter: 0 });
  });

  it('plays the torn, torn-late and double profiles', async () => {
    const clock = new FakeClock();
    const r = reader(clock);
    const store = new CardStore(mkdtempSync(join(tmpdir(), 'qom-reader-')));
    const options = { codec, keys, now: NOON, timeZone: 'Asia/Tehran' };
    const deadline = (): Deadline => Deadline.in(clock, 300);

    const torn = await profileCard(store, cardProfile('torn'), options);
    const [t] = await presentProfile(r, torn, cardProfile('torn'), clock.sleep);
    await expect(debit(t!, deadline())).rejects.toMatchObject({ code: ErrorCode.CardRemoved });
    expect(await r.present(torn).read(deadline())).toMatchObject({ counter: 0, balance: 500_000 });

    const late = await profileCard(store, cardProfile('torn-late'), options);
    const [l] = await presentProfile(r, late, cardProfile('torn-late'), clock.sleep);
    await expect(debit(l!, deadline())).rejects.toMatchObject({ code: ErrorCode.CardRemoved });
    expect(await r.present(late).read(deadline())).toMatchObject({ counter: 1, balance: 463_000 });

    const double = await profileCard(store, cardProfile('double'), options);
    const before = clock.monotonic();
    const presentations = await presentProfile(r, double, cardProfile('double'), clock.sleep);
    expect(presentations).toHaveLength(2);
    expect(clock.monotonic() - before).toBe(400);
    expect(presentations[1]!.detectedAt - presentations[0]!.detectedAt).toBe(400);
    expect(await presentations[1]!.read(deadline())).toMatchObject({ uid: '5100000B', counter: 0 });
  });
});
