import type { DenyEntry, DenyList } from '../domain/deny-list.ts';
import type { Clock } from '../domain/time.ts';
import type { Logger } from '../log/logger.ts';
import { describeError } from '../domain/errors.ts';
import { DenyListError, DenyListProblem } from './deny-list-error.ts';
import { denyListPaths, type DenyListPaths } from './deny-list-paths.ts';
import type { ImportProgress, ImportProgressListener } from './import-progress.ts';
import type { ImportSummary, ImportTask, OnDisk, TaskResult } from './import-task.ts';
import { loadDenyList } from './load-deny-list.ts';
import { LayeredDenyList } from './layered-deny-list.ts';
import { PackedLayer } from './packed-layer.ts';
import { runInWorker } from './run-in-worker.ts';
import { removeOrphanTempFiles } from './snapshot-file.ts';
import type { VerifiedListFile } from './verified-list.ts';

export interface DenyListStoreOptions {
  /** The validator's state directory: the list is `denylist.snapshot` and `denylist.overlay` in it. */
  readonly stateDir: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** Fold the overlay into a new base once it holds more entries than this (default: an eighth of the base, at least 262,144). */
  readonly compactAt?: (baseEntries: number) => number;
  /** Runs a task off the main thread (default: a worker thread, ended on abort); tests run it on their own. */
  readonly run?: (task: ImportTask, signal: AbortSignal, onProgress?: ImportProgressListener) => Promise<TaskResult>;
}

const defaultCompactAt = (baseEntries: number): number => Math.max(262_144, Math.floor(baseEntries / 8));

/**
 * The deny list in force, and the one way to change it. Lookups read an immutable list; an import builds the
 * next list in a worker thread, writes it durably, and only then replaces the one reference lookups read, so
 * a tap sees the old list or the new one, never a mix, and a failed import leaves the old list in force.
 * Imports and compactions run one at a time, in the order they were asked for.
 */
export class DenyListStore implements DenyList {
  private queue: Promise<unknown> = Promise.resolve();
  private progress: ImportProgress | null = null;
  private readonly closing = new AbortController();

  private constructor(
    private readonly paths: DenyListPaths,
    private readonly options: DenyListStoreOptions,
    private current: LayeredDenyList,
    private onDisk: OnDisk,
  ) {}

  /**
   * Loads the list in force at start (load-deny-list.ts): the snapshot and its overlay; else the first
   * slice's denylist.json; else an empty list of version "none", with a warning. A damaged file throws
   * DenyListError(SnapshotDamaged).
   */
  static open(options: DenyListStoreOptions): DenyListStore {
    const paths = denyListPaths(options.stateDir);
    removeOrphanTempFiles(paths, options.log);
    const loaded = loadDenyList(paths, options.clock.now(), options.log);
    return new DenyListStore(paths, options, loaded.list, loaded.onDisk);
  }

  get version(): string {
    return this.current.version;
  }

  /** Cards listed. */
  get size(): number {
    return this.current.size;
  }

  /** How far the import running now has got; null when none runs (`validator denylist import` shows it). */
  get importProgress(): ImportProgress | null {
    return this.progress;
  }

  /** When the list in force was applied here, epoch ms; null before any list file was (LayeredDenyList.appliedAt). */
  get appliedAt(): number | null {
    return this.current.appliedAt;
  }

  lookup(cardNumber: string): DenyEntry | undefined {
    return this.current.lookup(cardNumber);
  }

  /**
   * Applies a full list or a delta. Resolves once the new list is on disk and in force; rejects with
   * DenyListError and the list in force unchanged: NeedsFullList (a delta on another base), BadList (with the
   * line and what to fix), Unreadable, WriteFailed, ChangedOnDisk.
   */
  apply(list: VerifiedListFile, onProgress?: ImportProgressListener): Promise<ImportSummary> {
    return this.enqueue(async () => {
      const started = this.options.clock.monotonic();
      const track: ImportProgressListener = (p) => {
        this.progress = p;
        onProgress?.(p);
      };
      const result = await this.run({ kind: 'import', file: list.path }, track).finally(() => {
        this.progress = null;
      });
      const summary = result.summary;
      if (summary === null) throw new Error('deny-list import finished without a summary');
      const ms = Math.round(this.options.clock.monotonic() - started);
      if (!summary.applied) {
        this.options.log.info(`deny list ${list.path}: already at version ${summary.version}, nothing to apply`);
        return summary;
      }
      this.swap(result);
      this.options.log.info(
        `deny list version ${summary.version} in force (${summary.kind}, was ${summary.previousVersion}): ${summary.entries} cards, +${summary.added} −${summary.removed}, ${ms} ms`,
        { file: list.path, sha256: summary.sha256 },
      );
      this.compactIfDue();
      return summary;
    });
  }

  /** Resolves when every import and compaction asked for so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    await this.queue;
  }

  /**
   * For shutdown: ends a running import or compaction (it rejects with Cancelled; the files stay whole) and
   * refuses new ones. Lookups go on answering from the list in force.
   */
  async close(): Promise<void> {
    this.closing.abort();
    await this.idle();
  }

  private compactIfDue(): void {
    const { base, overlay } = this.current;
    if (overlay === null || overlay.count <= (this.options.compactAt ?? defaultCompactAt)(base.count)) return;
    const log = this.options.log;
    void this.enqueue(async () => {
      const started = this.options.clock.monotonic();
      this.swap(await this.run({ kind: 'compact' }));
      log.info(`deny list version ${this.current.version} compacted into one snapshot in ${Math.round(this.options.clock.monotonic() - started)} ms`);
    }).catch((e: unknown) => {
      // The list in force stays right; only later deltas cost more until a compaction succeeds.
      log.error(`deny-list compaction failed; the list in force stays: ${describeError(e)}`);
    });
  }

  private run(work: ImportTask['work'], onProgress?: ImportProgressListener): Promise<TaskResult> {
    const task: ImportTask = {
      work,
      base: this.current.base.image,
      overlay: this.current.overlay?.image ?? null,
      now: this.options.clock.now(),
      paths: this.paths,
      onDisk: this.onDisk,
    };
    return (this.options.run ?? runInWorker)(task, this.closing.signal, onProgress);
  }

  /** The swap: one reference. A tap in progress finishes on the list it started with. */
  private swap(result: TaskResult): void {
    const base = new PackedLayer(result.base, this.paths.snapshot);
    const overlay = result.overlay === null ? null : new PackedLayer(result.overlay, this.paths.overlay);
    this.current = new LayeredDenyList(base, overlay);
    this.onDisk = result.onDisk;
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closing.signal.aborted) throw new DenyListError(DenyListProblem.Cancelled, 'the deny list is closed: the validator is stopping');
      return job();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
