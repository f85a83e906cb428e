import { Worker } from 'node:worker_threads';
import { DenyListError, DenyListProblem } from './deny-list-error.ts';
import type { ImportProgress, ImportProgressListener } from './import-progress.ts';
import type { ImportTask, TaskResult } from './import-task.ts';

export type WorkerReply =
  /** On the way: the task goes on, another message follows. */
  | { readonly progress: ImportProgress }
  | { readonly ok: true; readonly result: TaskResult }
  | { readonly ok: false; readonly problem: DenyListProblem; readonly message: string }
  | { readonly ok: false; readonly problem: null; readonly message: string; readonly stack: string };

/** Where the worker's code is: beside this file, TypeScript from a checkout or JavaScript from dist/. */
const fromSource = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(fromSource ? './import-worker.ts' : './import-worker.js', import.meta.url);

function startWorker(task: ImportTask): Worker {
  if (!fromSource) return new Worker(WORKER_URL, { workerData: task });
  // A worker does not inherit the TypeScript loader the checkout runs under; it registers its own.
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;
  return new Worker(boot, { eval: true, workerData: task });
}

/**
 * Runs one task in a worker thread; resolves with the next list (already on disk) or rejects as the task did.
 * An abort terminates the worker (DenyListError Cancelled): its writes are temp file and rename, so the
 * files on disk stay whole.
 */
export function runInWorker(task: ImportTask, signal?: AbortSignal, onProgress?: ImportProgressListener): Promise<TaskResult> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelled());
      return;
    }
    const worker = startWorker(task);
    let replied = false;
    const abort = (): void => {
      if (replied) return;
      replied = true;
      reject(cancelled());
      void worker.terminate();
    };
    signal?.addEventListener('abort', abort, { once: true });
    worker.once('exit', () => signal?.removeEventListener('abort', abort));
    worker.on('message', (reply: WorkerReply) => {
      if (replied) return;
      if ('progress' in reply) {
        onProgress?.(reply.progress);
        return;
      }
      replied = true;
      if (reply.ok) resolve(reply.result);
      else if (reply.problem !== null) reject(new DenyListError(reply.problem, reply.message));
      else reject(Object.assign(new Error(`deny-list import failed inside its worker: ${reply.message}`), { stack: reply.stack }));
    });
    worker.once('error', (e) => {
      if (replied) return;
      replied = true;
      reject(e);
    });
    worker.once('exit', (code) => {
      if (!replied) reject(new Error(`the deny-list import worker exited with code ${code} before it answered`));
    });
  });
}

function cancelled(): DenyListError {
  return new DenyListError(DenyListProblem.Cancelled, 'the deny-list import was cancelled: the validator is stopping; the list in force stays');
}
