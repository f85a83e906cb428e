export type Led = 'green' | 'red' | 'amber' | 'off';
export type Beep = 'none' | 'short' | 'long' | 'double';

/** What the passenger sees and hears. */
export interface FeedbackScreen {
  /** Persian, first line (the headline). */
  readonly line1: string;
  /** Persian, second line (balance, what to do). */
  readonly line2: string;
  /** English, for the depot technician. */
  readonly english: string;
  readonly led: Led;
  readonly beep: Beep;
}

/** The passenger display, LEDs and buzzer. Best effort: the journal is the record, not the display. */
export interface FeedbackUnit {
  /** Shows a screen; rejects when the unit is unreachable. Callers must not wait on it to record a tap. */
  show(screen: FeedbackScreen): Promise<void>;
  close(): Promise<void>;
}
