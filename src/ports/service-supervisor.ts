/**
 * The service manager that runs the daemon (systemd): told when the validator is ready, what state it is
 * in, that its tap loop is alive, and that it is stopping. Every call is a one-way message that never
 * throws and never waits: the validator runs the same with no manager at all.
 */
export interface ServiceSupervisor {
  /** Startup is over (readers tried, journal open, deny list and fares loaded); sent once, with the first status. */
  ready(status: string): void;
  /** One line for `systemctl status`: in or out of service, and why. */
  status(text: string): void;
  /** The tap loop is healthy: the manager's watchdog is kept from restarting the daemon. */
  watchdog(): void;
  /** Shutdown has begun. */
  stopping(): void;
  /** How often watchdog() must be called (half the manager's timeout), or null when no watchdog is asked for. */
  readonly watchdogIntervalMs: number | null;
}

/** No service manager: every message goes nowhere. */
export const unsupervised: ServiceSupervisor = {
  ready: () => undefined,
  status: () => undefined,
  watchdog: () => undefined,
  stopping: () => undefined,
  watchdogIntervalMs: null,
};
