import { describeError } from '../domain/errors.ts';
import type { Clock } from '../domain/time.ts';
import { screenFor, type MessageOptions } from '../feedback/messages.ts';
import type { Logger } from '../log/logger.ts';
import type { TapOutcome } from '../pipeline/tap-outcome.ts';
import type { FeedbackScreen, FeedbackUnit } from '../ports/feedback-unit.ts';

export interface Door {
  readonly id: string;
  readonly feedback: FeedbackUnit;
}

/**
 * Keeps each door's display honest between taps: a tap's message stays for the hold time, then the
 * display returns to "welcome" or, while the door cannot take taps, to "out of service" with why.
 */
export class DisplayController {
  private readonly holdUntil = new Map<string, number>();
  private readonly shown = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly doors: readonly Door[],
    /** Why a door cannot take taps now; empty when it can. */
    private readonly problems: (door: string) => readonly string[],
    private readonly messages: MessageOptions,
    private readonly clock: Clock,
    private readonly holdMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.refresh();
    this.timer = setInterval(() => this.refresh(), 250);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** A tap's screen was just shown: keep it for the hold time. */
  noteOutcome(outcome: TapOutcome): void {
    this.holdUntil.set(outcome.reader, this.clock.monotonic() + this.holdMs);
    this.shown.set(outcome.reader, key(outcome.screen));
  }

  /** The screen a door shows when no tap is on display. */
  idleScreen(door: string): FeedbackScreen {
    const problems = this.problems(door);
    return screenFor(problems[0] === undefined ? { kind: 'welcome' } : { kind: 'out-of-service', why: problems[0] }, this.messages);
  }

  /** Puts the idle screen on every door not holding a tap's message; shows a screen only when it changes. */
  refresh(): void {
    const now = this.clock.monotonic();
    for (const door of this.doors) {
      if ((this.holdUntil.get(door.id) ?? 0) > now) continue;
      const screen = this.idleScreen(door.id);
      if (this.shown.get(door.id) === key(screen)) continue;
      this.shown.set(door.id, key(screen));
      door.feedback.show(screen).catch((e: unknown) => {
        // Forget what we think is shown, so the screen is sent again once the unit is back.
        this.shown.delete(door.id);
        this.log.debug('feedback unit unreachable', { door: door.id, error: describeError(e) });
      });
    }
  }
}

function key(screen: FeedbackScreen): string {
  return `${screen.line1}|${screen.line2}|${screen.led}`;
}
