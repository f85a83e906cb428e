import type { Subscription } from 'rxjs';
import type { PositionReading, PositionSource } from '../ports/position-source.ts';
import type { StopIndex } from './stop-index.ts';
import { matchStop, type StopMatchOptions } from './stop-matcher.ts';

/** What the GPS says for a tap and for status: the stop, the position, and how the receiver is. */
export interface WhereNow {
  readonly stop: string | null;
  readonly position: { readonly lat: number; readonly lon: number } | null;
  readonly reading: PositionReading;
}

/**
 * The bus's current stop, followed fix by fix (the hysteresis needs every fix, not only those at taps),
 * among the stops of the fare bundle in force. A fix gone stale, or none, is no stop and no position.
 */
export class CurrentStop {
  private stop: string | null = null;
  private subscription: Subscription | null = null;

  constructor(
    private readonly source: PositionSource,
    /** The stops of the bundle in force now: it can change at a bundle's effectiveFrom. */
    private readonly stops: () => StopIndex | null,
    private readonly options: StopMatchOptions,
  ) {}

  start(): void {
    this.subscription ??= this.source.readings$.subscribe((reading) => this.follow(reading));
  }

  /** Now: the reading is aged at this call, so a receiver gone silent since the last fix gives no stop. */
  now(): WhereNow {
    const reading = this.source.current();
    const stop = this.follow(reading);
    const fix = reading.fix;
    return { stop, position: fix === null ? null : { lat: fix.lat, lon: fix.lon }, reading };
  }

  async close(): Promise<void> {
    this.subscription?.unsubscribe();
    this.subscription = null;
    await this.source.close();
  }

  private follow(reading: PositionReading): string | null {
    const index = this.stops();
    this.stop = index === null ? null : matchStop(index, this.stop, reading.fix, this.options);
    return this.stop;
  }
}
