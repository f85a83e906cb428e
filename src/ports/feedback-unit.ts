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

/** Whether the unit answers: unknown until first heard from, up while it acks, down after a command went unanswered. */
export interface FeedbackHealth {
  readonly state: 'unknown' | 'up' | 'down';
  /** Epoch ms of the last change of state; null while unknown. */
  readonly since: number | null;
  readonly lastError: string | null;
  /** Where the unit is (serial port and baud rate, firmware), for `validator status`. */
  readonly detail: string;
}

/** The passenger display, LEDs and buzzer. Best effort: the journal is the record, not the display. */
export interface FeedbackUnit {
  /** Shows a screen; rejects when the unit is unreachable. Callers must not wait on it to record a tap. */
  show(screen: FeedbackScreen): Promise<void>;
  /** The unit's health now; never throws. */
  health(): FeedbackHealth;
  close(): Promise<void>;
}
