/** How far an import has got, for the CLI's progress bar: the worker reports it, the store keeps the latest. */

/** Reading: entries read of the header's count. Building: the new list is being built and written (done = total). */
export interface ImportProgress {
  readonly phase: 'reading' | 'building';
  readonly done: number;
  readonly total: number;
}

export type ImportProgressListener = (progress: ImportProgress) => void;
