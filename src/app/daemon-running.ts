import { callControl } from '../control/control-client.ts';
import { ErrorCode, isValidatorError } from '../domain/errors.ts';
import type { StatusReport } from './status-report.ts';

/** The daemon's report when it answers; ControlUnavailable (not running, not answering) is the only failure taken as "not running". */
export async function askDaemon(socket: string, timeoutMs = 5_000): Promise<{ report: StatusReport } | { notRunning: string }> {
  try {
    return { report: (await callControl(socket, 'status', {}, { timeoutMs })) as StatusReport };
  } catch (e) {
    if (!isValidatorError(e, ErrorCode.ControlUnavailable)) throw e;
    return { notRunning: e.message };
  }
}

/** Whether a validator daemon answers on `socket` (it then owns the state directory's journal, lists and readers). */
export async function daemonRunning(socket: string): Promise<boolean> {
  return 'report' in (await askDaemon(socket, 2_000));
}
