import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessFeedbackUnit } from '../../../device/feedback/in-process-feedback-unit.ts';
import { systemClock } from '../../../src/domain/time.ts';
import { screenFor } from '../../../src/feedback/messages.ts';
import { silentLogger } from '../../../src/log/logger.ts';

const messages = { moneyUnit: 'toman' as const, lowBalance: 74_000 };
const accepted = screenFor({ kind: 'accepted', fare: 37_000, balance: 463_000, transfer: false }, messages);
const welcome = screenFor({ kind: 'welcome' }, messages);
let unit: InProcessFeedbackUnit;

afterEach(async () => {
  await unit.close();
});

async function eventually(what: string, check: () => boolean, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(5);
  }
}

/** The demo's door unit: the real driver and the unit simulator on an in-process wire. */
describe('the demo feedback unit', () => {
  it('shows what the unit shows, with the English line and beep of the screen that put it there', async () => {
    unit = new InProcessFeedbackUnit({ clock: systemClock, log: silentLogger, ackTimeoutMs: 30, retries: 1, probeMs: 100 });
    await unit.show(accepted);
    expect(unit.screen).toEqual(accepted);
    expect(unit.unit.beeps).toEqual(['short']);
    expect(unit.health().state).toBe('up');
  });

  it('keeps the old screen while its cable is pulled, and gets the current one when it is back', async () => {
    unit = new InProcessFeedbackUnit({ clock: systemClock, log: silentLogger, ackTimeoutMs: 30, retries: 1, probeMs: 100 });
    await unit.show(welcome);
    unit.setConnected(false);
    await expect(unit.show(accepted)).rejects.toThrow(/no ack after 2 sends/);
    expect(unit.health().state).toBe('down');
    expect(unit.screen.line1).toBe(welcome.line1);
    unit.setConnected(true);
    await eventually('the current screen back on the unit', () => unit.screen.line1 === accepted.line1 && unit.screen.led === 'green');
    expect(unit.health().state).toBe('up');
    // Shown again without its beep: the tap is long past.
    expect(unit.unit.beeps).toEqual([]);
  });
});
