/**
 * How often to send WATCHDOG=1, read from the environment as sd_watchdog_enabled(3) reads it: WATCHDOG_USEC
 * is the manager's timeout in microseconds, and WATCHDOG_PID, when set, names the one process it is for
 * (a child that inherited the variables must not keep its parent alive). The interval is half the timeout,
 * as sd_watchdog_enabled(3) advises; Supervision probes and pings twice that often, at a quarter, so that
 * one withheld ping costs no restart. Returns the interval in ms, or null with the reason when there is no
 * watchdog for this process.
 *
 * Not sd-notify's watchdogInterval() (sd_watchdog_enabled itself): that loads the native binding, so it
 * could not be tested without it or under another pid's WATCHDOG_PID, and it answers 0 for every case, where
 * this says why there is no watchdog (logged at start). It reads the same two variables the same way.
 */
export function watchdogInterval(
  env: NodeJS.ProcessEnv,
  pid: number,
): { readonly ms: number } | { readonly ms: null; readonly why: string } {
  const usec = env.WATCHDOG_USEC;
  if (usec === undefined || usec === '') return { ms: null, why: 'WATCHDOG_USEC is not set' };
  const forPid = env.WATCHDOG_PID;
  if (forPid !== undefined && forPid !== '') {
    if (!isPositiveInteger(forPid)) return { ms: null, why: `WATCHDOG_PID="${forPid}" is not a process id` };
    if (Number(forPid) !== pid) return { ms: null, why: `WATCHDOG_PID=${forPid} is another process (this is ${pid})` };
  }
  if (!isPositiveInteger(usec)) return { ms: null, why: `WATCHDOG_USEC="${usec}" is not a whole number of microseconds above 0` };
  return { ms: Number(usec) / 2 / 1000 };
}

function isPositiveInteger(text: string): boolean {
  return /^[0-9]+$/.test(text) && Number(text) > 0 && Number.isSafeInteger(Number(text));
}
