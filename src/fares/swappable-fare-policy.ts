import type { CardData } from '../domain/card.ts';
import type { FarePolicy, FareQuote } from '../domain/fare-policy.ts';
import type { TapContext } from '../domain/tap-context.ts';
import type { ScheduledFarePolicy } from './scheduled-fare-policy.ts';

/**
 * The daemon's fares: a schedule that sync can replace while the validator runs (a bundle from the backend).
 * One reference: each quote reads one schedule whole, so a tap never sees a mix of two.
 */
export class SwappableFarePolicy implements FarePolicy {
  constructor(private current: ScheduledFarePolicy) {}

  get schedule(): ScheduledFarePolicy {
    return this.current;
  }

  /** Puts `next` in force for the following taps. */
  replace(next: ScheduledFarePolicy): void {
    this.current = next;
  }

  get version(): string {
    return this.current.version;
  }

  quote(card: CardData, context: TapContext, now: number): FareQuote {
    return this.current.quote(card, context, now);
  }
}
