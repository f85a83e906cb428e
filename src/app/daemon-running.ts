import { callControl } from '../control/control-client.ts';
import { ErrorCode, isValidatorError } from '../domain/errors.ts';

/** Whether a validator daemon answers on `socket` (it then owns the state directory's journal, lists and readers). */
export async function daemonRunning(socket: string): Promise<boolean> {
  try {
    await callControl(socket, 'status', {}, { timeoutMs: 2_000 });
    return true;
  } catch (e) {
    if (isValidatorError(e, ErrorCode.ControlUnavailable)) return false;
    throw e;
  }
}
