import type { Observable } from 'rxjs';

/** One position fix from a GNSS receiver, as its last complete report gave it. */
export interface GpsFix {
  /** UTC time of the fix, epoch milliseconds (the receiver's clock, not ours). */
  readonly time: number;
  /** WGS 84 decimal degrees, south and west negative. */
  readonly lat: number;
  readonly lon: number;
  /** Speed over ground, m/s; null when the receiver did not say. */
  readonly speedMps: number | null;
  /** Course over ground, degrees true; null when the receiver did not say. */
  readonly trackDeg: number | null;
  /** Monotonic milliseconds at which the sentence completing this fix arrived. */
  readonly receivedAt: number;
}

/**
 * What the receiver says now.
 * - `no-receiver`: the port is not open (unplugged, wrong path); the source keeps trying to reopen it.
 * - `no-fix`: sentences arrive but carry no valid position (indoors, cold start, a void RMC).
 * - `stale`: the last fix is older than the configured timeout (a silent receiver, garbage only).
 * - `fix`: a fix younger than the timeout.
 */
export type PositionStatus = 'no-receiver' | 'no-fix' | 'stale' | 'fix';

export interface PositionReading {
  readonly status: PositionStatus;
  /** The fix, only when `status` is `fix`: a stale fix is never used for a tap. */
  readonly fix: GpsFix | null;
  /**
   * GPS time minus the system clock, ms, measured when the last fix arrived; null before the first.
   * It stays after the fix goes stale: the system clock's error does not change with the signal.
   */
  readonly clockErrorMs: number | null;
  /** Where the receiver is read from, for status and the technician ("simulated" for the simulator). */
  readonly source: string;
}

/**
 * A position receiver (GPS over a serial port, or its simulator).
 *
 * Contract for implementations:
 * - `current()` never throws and never blocks; it ages the fix against the monotonic clock at each call.
 * - `readings$` emits the current reading on subscription, then on every change of status or fix.
 * - A receiver that goes away is reopened by the source itself; the caller never has to.
 * - `close()` stops reading and completes `readings$`; it resolves once the port is closed.
 */
export interface PositionSource {
  current(): PositionReading;
  readonly readings$: Observable<PositionReading>;
  close(): Promise<void>;
}
