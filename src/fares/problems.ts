/** One thing wrong with a fare bundle and where: the file, and the line (1 is the header; 0 for the whole file). */
export interface BundleProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** "fare_products.txt:4: amount 37000.5 is not whole rials", or "stops.txt: ..." for the whole file. */
export function formatProblem(p: BundleProblem): string {
  return p.line > 0 ? `${p.file}:${p.line}: ${p.message}` : `${p.file}: ${p.message}`;
}

/** Collects every problem of one load, so that all of them are reported at once instead of the first. */
export class Problems {
  private readonly list: BundleProblem[] = [];

  add(file: string, line: number, message: string): void {
    this.list.push({ file, line, message });
  }

  get count(): number {
    return this.list.length;
  }

  /** By file (as `ls` lists them), then by line: the order a person fixes them in. */
  sorted(): readonly BundleProblem[] {
    return this.list
      .map((p, i) => ({ p, i }))
      .sort((a, b) => byCodePoint(a.p.file, b.p.file) || a.p.line - b.p.line || a.i - b.i)
      .map(({ p }) => p);
  }
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
