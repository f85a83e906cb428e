import { BehaviorSubject, type Observable } from 'rxjs';
import { ErrorCode, ValidatorError } from '../../src/domain/errors.ts';
import type { FeedbackHealth, FeedbackScreen, FeedbackUnit } from '../../src/ports/feedback-unit.ts';

/** The passenger display, LEDs and buzzer, in memory: the demo panel draws it; tests read it. */
export class SimulatedFeedbackUnit implements FeedbackUnit {
  private readonly current: BehaviorSubject<FeedbackScreen>;
  private connected = true;
  /** Every screen shown, newest last (bounded). */
  readonly history: FeedbackScreen[] = [];

  constructor(initial: FeedbackScreen) {
    this.current = new BehaviorSubject(initial);
  }

  /** The screen on display now, then every change. */
  get screen$(): Observable<FeedbackScreen> {
    return this.current.asObservable();
  }

  get screen(): FeedbackScreen {
    return this.current.value;
  }

  /** Simulates the unit's cable being pulled (false) or put back (true). */
  setConnected(connected: boolean): void {
    this.connected = connected;
  }

  show(screen: FeedbackScreen): Promise<void> {
    if (!this.connected) {
      return Promise.reject(new ValidatorError(ErrorCode.FeedbackUnavailable, 'simulated feedback unit is disconnected'));
    }
    this.history.push(screen);
    if (this.history.length > 100) this.history.shift();
    this.current.next(screen);
    return Promise.resolve();
  }

  health(): FeedbackHealth {
    return { state: this.connected ? 'up' : 'down', since: null, lastError: this.connected ? null : 'disconnected (simulated)', detail: 'in memory' };
  }

  close(): Promise<void> {
    this.current.complete();
    return Promise.resolve();
  }
}
