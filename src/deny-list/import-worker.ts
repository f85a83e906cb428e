/** The import worker's entry: parse, build and write off the main thread, so that no tap waits behind it. */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { isDenyListError } from './deny-list-error.ts';
import { runTask, type ImportTask } from './import-task.ts';
import type { WorkerReply } from './run-in-worker.ts';

const WORKER_NICE = 10;

function failure(e: unknown): WorkerReply {
  if (isDenyListError(e)) return { ok: false, problem: e.problem, message: e.message };
  const error = e instanceof Error ? e : new Error(String(e));
  return { ok: false, problem: null, message: error.message, stack: error.stack ?? '' };
}

const port = parentPort;
if (port === null) throw new Error('import-worker.ts runs as a worker thread (run-in-worker.ts starts it)');
// Below the main thread, so that on a busy board a tap never waits for a core behind the import. On Linux
// the nice value is per thread: this lowers the worker only.
setPriority(0, WORKER_NICE);
runTask(workerData as ImportTask, undefined, (progress) => port.postMessage({ progress } satisfies WorkerReply)).then(
  (result): void => port.postMessage({ ok: true, result } satisfies WorkerReply),
  (e: unknown): void => port.postMessage(failure(e)),
);
