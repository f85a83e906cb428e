import { describeError } from '../../src/domain/errors.ts';
import type { Clock } from '../../src/domain/time.ts';
import type { Logger } from '../../src/log/logger.ts';
import type { FeedbackHealth, FeedbackScreen, FeedbackUnit } from '../../src/ports/feedback-unit.ts';
import { FeedbackUnitSimulator } from './feedback-unit-simulator.ts';
import { memoryWire } from './memory-wire.ts';
import { SerialFeedbackUnit } from './serial-feedback-unit.ts';

export interface InProcessFeedbackOptions {
  readonly clock: Clock;
  readonly log: Logger;
  readonly ackTimeoutMs: number;
  readonly retries: number;
  readonly probeMs: number;
}

/** Screens remembered to tell the panel which English line and beep go with the text on the unit. */
const REMEMBERED = 64;
const BLANK: FeedbackScreen = { line1: '', line2: '', english: '(blank: the unit has just powered up)', led: 'off', beep: 'none' };

/**
 * A door's feedback unit in the demo: the real serial driver and the unit simulator joined by an
 * in-process wire, so every screen goes through the real protocol, retries and recovery. What the
 * panel draws is what the simulated unit shows, not what was asked of it.
 */
export class InProcessFeedbackUnit implements FeedbackUnit {
  readonly unit: FeedbackUnitSimulator;
  private readonly driver: SerialFeedbackUnit;
  private readonly asked = new Map<string, FeedbackScreen>();

  constructor(options: InProcessFeedbackOptions) {
    const wire = memoryWire();
    this.unit = new FeedbackUnitSimulator(wire.unit, 'SIM-1.0', () => options.clock.monotonic());
    this.unit.start().catch((e: unknown) => options.log.error('simulated feedback unit did not start', { error: describeError(e) }));
    this.driver = new SerialFeedbackUnit({ ...options, open: wire.host, where: 'simulated unit (in process)', reopenMs: 1000 });
  }

  show(screen: FeedbackScreen): Promise<void> {
    const key = keyOf(screen.line1, screen.line2);
    this.asked.delete(key);
    this.asked.set(key, screen);
    if (this.asked.size > REMEMBERED) this.asked.delete(this.asked.keys().next().value!);
    return this.driver.show(screen);
  }

  /** What the unit shows now, with the English line and beep of the screen that put it there. */
  get screen(): FeedbackScreen {
    const shown = this.unit.screen;
    if (!shown.screenSet) return { ...BLANK, led: shown.led };
    const asked = this.asked.get(keyOf(shown.line1, shown.line2));
    return { line1: shown.line1, line2: shown.line2, english: asked?.english ?? '', led: shown.led, beep: asked?.beep ?? 'none' };
  }

  /** The unit's cable pulled (false): it hears nothing; put back (true): it powers up again and says HELLO. */
  setConnected(connected: boolean): void {
    this.unit.silent = !connected;
    if (connected) void this.unit.powerCycle();
  }

  health(): FeedbackHealth {
    return this.driver.health();
  }

  async close(): Promise<void> {
    await this.driver.close();
    await this.unit.close();
  }
}

function keyOf(line1: string, line2: string): string {
  return `${line1}\n${line2}`;
}
