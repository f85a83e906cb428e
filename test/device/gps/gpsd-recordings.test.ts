import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SentenceEvent } from '../../../device/gps/serial-gps-source.ts';
import { parseGpsdCheck } from '../../support/gpsd-check.ts';
import { SocatPty, socatMissing } from '../../support/socat-pty.ts';
import { RECORDINGS, fixture, testSource } from './helpers.ts';

const skip = socatMissing();

/**
 * Each recording of a real receiver goes, sentence by sentence, through a real pseudo-terminal into the
 * serial GPS source; after each sentence its fix is held against gpsd's own decoding (the `.chk` file).
 */
describe.skipIf(skip !== null)(`gpsd recordings through a socat pseudo-terminal${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let dir: string;
  let pty: SocatPty;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gps-replay-'));
    pty = await SocatPty.start(dir);
  });

  afterEach(async () => {
    await pty.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(RECORDINGS)('%s gives gpsd\'s fixes, sentence by sentence', async (name) => {
    const expected = parseGpsdCheck(fixture(`${name}.chk`));
    // gpsd's time → its position then, for the check that we report no fix gpsd did not see.
    const gpsdAt = new Map(expected.flatMap((e) => (e.tpv?.lat === undefined ? [] : [[e.tpv.time, e.tpv] as const])));
    const lastGpsdTime = Math.max(...[...gpsdAt.keys()].map((t) => Date.parse(t)));
    const source = testSource(pty.port, { staleAfterMs: 60_000 });
    try {
      await waitOpen(source);
      const events: SentenceEvent[] = [];
      source.sentences$.subscribe((e) => events.push(e));
      let compared = 0;
      for (const [i, e] of expected.entries()) {
        await pty.write(`${e.sentence}\r\n`);
        await until(() => events.length > i);
        const event = events[i];
        expect(event?.sentence).toBe(e.sentence);
        const fix = event?.reading.fix ?? null;
        if (fix !== null) {
          // No bogus fix: every position we report is one gpsd reported at that same time (but for the
          // recording's last cycle, which it cuts before gpsd reported it).
          const gpsd = gpsdAt.get(new Date(fix.time).toISOString());
          if (gpsd === undefined) expect(fix.time, `line ${i}: ${e.sentence}`).toBeGreaterThan(lastGpsdTime);
          else {
            expect(Math.abs(fix.lat - (gpsd.lat ?? NaN))).toBeLessThanOrEqual(1e-6);
            expect(Math.abs(fix.lon - (gpsd.lon ?? NaN))).toBeLessThanOrEqual(1e-6);
          }
        }
        if (e.tpv === null) continue;
        compared++;
        expect(fix, `gpsd has a fix after ${e.sentence}`).not.toBeNull();
        expect(new Date(fix?.time ?? 0).toISOString()).toBe(e.tpv.time);
        if (e.tpv.lat !== undefined) expect(Math.abs((fix?.lat ?? NaN) - e.tpv.lat)).toBeLessThanOrEqual(1e-6);
        if (e.tpv.lon !== undefined) expect(Math.abs((fix?.lon ?? NaN) - e.tpv.lon)).toBeLessThanOrEqual(1e-6);
      }
      expect(compared).toBeGreaterThan(0);
      expect(events.every((e) => e.result.kind === 'accepted')).toBe(true);
    } finally {
      await source.close();
    }
  }, 60_000);
});

async function waitOpen(source: ReturnType<typeof testSource>): Promise<void> {
  await until(() => source.current().status !== 'no-receiver');
}

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
