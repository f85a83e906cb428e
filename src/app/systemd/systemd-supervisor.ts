import { createRequire } from 'node:module';
import type { Logger } from '../../log/logger.ts';
import { unsupervised, type ServiceSupervisor } from '../../ports/service-supervisor.ts';
import { watchdogInterval } from './watchdog-interval.ts';

/** Sends one sd_notify(3) message: newline-separated VARIABLE=value assignments. */
export type NotifySend = (state: string) => void;

/**
 * The daemon's service manager from its environment: systemd when NOTIFY_SOCKET is set (Type=notify), else
 * none. Messages go through libsystemd's own sd_notify (the sd-notify package), which reaches every form of
 * NOTIFY_SOCKET, a path or an abstract "@name"; it is loaded only under a service manager.
 */
export function systemdSupervisor(env: NodeJS.ProcessEnv, pid: number, log: Logger): ServiceSupervisor {
  if (!env.NOTIFY_SOCKET) return unsupervised;
  const { sendState } = createRequire(import.meta.url)('sd-notify') as { sendState: NotifySend };
  const watchdog = watchdogInterval(env, pid);
  if (watchdog.ms === null) log.debug(`no systemd watchdog: ${watchdog.why}`);
  return new SystemdSupervisor(sendState, watchdog.ms);
}

/** ServiceSupervisor over sd_notify messages. */
export class SystemdSupervisor implements ServiceSupervisor {
  constructor(
    private readonly send: NotifySend,
    readonly watchdogIntervalMs: number | null,
  ) {}

  ready(status: string): void {
    this.notify(`READY=1\nSTATUS=${oneLine(status)}`);
  }

  status(text: string): void {
    this.notify(`STATUS=${oneLine(text)}`);
  }

  watchdog(): void {
    this.notify('WATCHDOG=1');
  }

  stopping(): void {
    this.notify('STOPPING=1');
  }

  // A closing newline: systemd ignores it, and a reader of the datagrams as one stream (the tests' socat)
  // can split them.
  private notify(state: string): void {
    this.send(`${state}\n`);
  }
}

/** A STATUS= value ends at the first newline: the rest would be read as other assignments. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}
