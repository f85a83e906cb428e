/** Watching a long call to the daemon from beside it: the control protocol answers once, so progress is asked for. */
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Resolves or rejects as `work` does; until then calls `poll` every `everyMs`, one call at a time. A poll that
 * throws ends the polling (an older daemon without the method, say), never the work.
 */
export async function pollWhile<T>(work: Promise<T>, everyMs: number, poll: () => Promise<void>): Promise<T> {
  let settled = false;
  const polling = (async (): Promise<void> => {
    while (!settled) {
      await Promise.race([delay(everyMs), work.then(() => undefined, () => undefined)]);
      if (settled) return;
      try {
        await poll();
      } catch {
        return;
      }
    }
  })();
  try {
    return await work;
  } finally {
    settled = true;
    await polling;
  }
}
