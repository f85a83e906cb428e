import type { TapOutcome } from '../pipeline/tap-outcome.ts';
import type { CardReader } from '../ports/card-reader.ts';
import type { FeedbackUnit } from '../ports/feedback-unit.ts';

/** The devices the composition root hands to the application: real adapters or their simulators. */
export interface Hardware {
  readonly readers: readonly CardReader[];
  feedbackFor(reader: string): FeedbackUnit;
  close(): Promise<void>;
}

/** A card profile a technician can present in simulation. */
export interface ProfileInfo {
  readonly name: string;
  readonly key: string;
  readonly description: string;
}

/** Presents simulated cards (the panel's keys, `validator tap`). */
export interface CardSimulator {
  readonly profiles: readonly ProfileInfo[];
  /** Presents a profile's card at a door and returns what each presentation ended with. */
  tap(profile: string, reader: string | null): Promise<TapOutcome[]>;
}
