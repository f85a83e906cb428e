import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Command, NakReason } from '../../../device/feedback/feedback-messages.ts';
import { FeedbackUnitSimulator } from '../../../device/feedback/feedback-unit-simulator.ts';
import { SerialFeedbackUnit } from '../../../device/feedback/serial-feedback-unit.ts';
import { serialLink } from '../../../device/feedback/serial-link.ts';
import { ErrorCode, isValidatorError } from '../../../src/domain/errors.ts';
import { systemClock } from '../../../src/domain/time.ts';
import { screenFor } from '../../../src/feedback/messages.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import type { FeedbackScreen } from '../../../src/ports/feedback-unit.ts';
import { PipelineHarness } from '../../pipeline/harness.ts';
import { issuedCard } from '../helpers.ts';
import { socatMissing, SocatPty } from '../../support/socat-pty.ts';

const BAUD = 115_200;
const ACK_MS = 80;
const RETRIES = 2;
const messages = { moneyUnit: 'toman' as const, lowBalance: 74_000 };
const accepted = screenFor({ kind: 'accepted', fare: 37_000, balance: 463_000, transfer: false }, messages);
const welcome = screenFor({ kind: 'welcome' }, messages);
const missing = socatMissing();

/** Polls until the check passes or the time is up. */
async function eventually(what: string, check: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(10);
  }
}

/** The driver and the unit simulator on the two ends of a socat null-modem cable. */
describe.skipIf(missing !== null)(`feedback unit driver against the simulator over a socat pty${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let dir: string;
  let wire: SocatPty;
  let unit: FeedbackUnitSimulator;
  let driver: SerialFeedbackUnit;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'feedback-'));
    wire = await SocatPty.start(dir, 'feedback');
    unit = new FeedbackUnitSimulator(serialLink(wire.feed, BAUD));
    await unit.start();
    driver = new SerialFeedbackUnit({
      open: serialLink(wire.port, BAUD),
      where: `${wire.port} at ${BAUD} baud`,
      clock: systemClock,
      log: silentLogger,
      ackTimeoutMs: ACK_MS,
      retries: RETRIES,
      probeMs: 150,
      reopenMs: 50,
    });
  });

  afterEach(async () => {
    await driver.close();
    await unit.close();
    await wire.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows both lines right to left, sets the LED and sounds the beep; the unit is up', async () => {
    await driver.show(accepted);
    expect(unit.screen).toEqual({ line1: accepted.line1, line2: accepted.line2, rtl1: true, rtl2: true, led: 'green', screenSet: true });
    expect(unit.beeps).toEqual(['short']);
    expect(driver.health()).toMatchObject({ state: 'up', detail: expect.stringContaining(wire.port) as unknown });
    const rejected = screenFor({ kind: 'rejected', reason: 'EXPIRED' as never, balance: 0 }, messages);
    await driver.show(rejected);
    expect([unit.screen.led, unit.beeps]).toEqual(['red', ['short', 'double']]);
  });

  it('sends a command again when its ack is lost, and the unit carries it out once', async () => {
    unit.dropAcks = 1;
    unit.dropAcksOf = Command.Beep;
    await driver.show(accepted);
    expect(unit.beeps).toEqual(['short']);
    expect(unit.executed).toBe(3);
    expect(driver.health().state).toBe('up');
  });

  it('reports a refused command without retrying it; the unit stays up', async () => {
    await driver.show(welcome);
    unit.refuseNext = NakReason.Busy;
    await expect(driver.show(accepted)).rejects.toThrow(/unit refused command 0x1 \(reason 3\)/);
    expect(driver.health()).toMatchObject({ state: 'up', lastError: 'unit refused command 0x1 (reason 3)' });
    await driver.show(accepted);
    expect(unit.screen.line1).toBe(accepted.line1);
  });

  it('the newest screen wins when screens come faster than the unit takes them', async () => {
    const shows = [driver.show(accepted), driver.show(welcome)];
    const results = await Promise.allSettled(shows);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(unit.screen.line1).toBe(welcome.line1);
  });

  it('when the unit goes silent: down after its retries, taps go on, and it gets the current screen when back', async () => {
    await driver.show(welcome);
    unit.silent = true;
    const started = Date.now();
    const failure = await driver.show(accepted).catch((e: unknown) => e);
    expect(isValidatorError(failure, ErrorCode.FeedbackUnavailable)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(ACK_MS * (RETRIES + 1) - 10);
    expect(driver.health()).toMatchObject({ state: 'down', lastError: `no ack after ${RETRIES + 1} sends` });

    // While down, show() fails at once: a tap never waits on the display, and the journal is the record.
    const h = new PipelineHarness({ feedback: driver });
    try {
      const outcome = await h.tap(await issuedCard());
      expect(outcome.notice.kind).toBe('accepted');
      expect(h.journal.list(0, 10)).toHaveLength(1);
    } finally {
      h.journal.close();
    }
    const current: FeedbackScreen = screenFor({ kind: 'already-paid', balance: 463_000 }, messages);
    const fast = Date.now();
    await expect(driver.show(current)).rejects.toThrow(/down/);
    expect(Date.now() - fast).toBeLessThan(ACK_MS);

    unit.silent = false;
    // SHOW, then LED: the screen is whole once the LED is amber.
    await eventually('unit up, showing the current screen', () => driver.health().state === 'up' && unit.screen.line1 === current.line1 && unit.screen.led === 'amber');
  });

  it('shows the current screen again when the unit restarts (HELLO)', async () => {
    await driver.show(accepted);
    await unit.powerCycle();
    expect(unit.screen.screenSet).toBe(false);
    await eventually('the screen shown again after HELLO', () => unit.screen.line1 === accepted.line1);
    expect(unit.beeps).toEqual(['short']);
  });

  it('notices a unit that restarted unheard through its STATUS, and shows the screen again', async () => {
    await driver.show(accepted);
    unit.silent = true;
    await unit.powerCycle();
    unit.silent = false;
    await eventually('the screen shown again after STATUS said blank', () => unit.screen.screenSet && unit.screen.line1 === accepted.line1);
  });

  it('reopens the port after the cable is pulled and put back, and shows the current screen', async () => {
    await driver.show(welcome);
    await unit.close();
    await wire.stop();
    await eventually('unit down once its cable is pulled', () => driver.health().state === 'down');
    expect(driver.health().lastError).toMatch(/port lost|cannot open/);
    await driver.show(accepted).catch(() => undefined);

    wire = await SocatPty.start(dir, 'feedback');
    unit = new FeedbackUnitSimulator(serialLink(wire.feed, BAUD));
    await unit.start();
    await eventually('unit up again on the new cable, showing the current screen', () => driver.health().state === 'up' && unit.screen.line1 === accepted.line1 && unit.screen.led === 'green');
  });
});

/** The same driver against a real unit when one is plugged in: FEEDBACK_UNIT_PORT=/dev/ttyUSB0 [FEEDBACK_UNIT_BAUD=115200]. */
const realPort = process.env.FEEDBACK_UNIT_PORT;
describe.skipIf(realPort === undefined)(`feedback unit driver against the real unit on ${realPort ?? '(set FEEDBACK_UNIT_PORT)'}`, () => {
  it('shows screens, and the unit reports its firmware and is up', async () => {
    const baud = Number(process.env.FEEDBACK_UNIT_BAUD ?? BAUD);
    const driver = new SerialFeedbackUnit({ open: serialLink(realPort!, baud), where: `${realPort} at ${baud} baud`, clock: systemClock, log: silentLogger, ackTimeoutMs: 150, retries: 2, probeMs: 1000, reopenMs: 1000 });
    try {
      await driver.show(accepted);
      await driver.show(welcome);
      expect(driver.health()).toMatchObject({ state: 'up', detail: expect.stringMatching(/, firmware \S+/) as unknown });
    } finally {
      await driver.close();
    }
  });
});
