/**
 * Progress of a long CLI operation (a list import, an export, a first sync, provisioning). On a terminal: one
 * bar redrawn in place at most ten times a second, with percent, count and rate. Otherwise (a pipe, a log,
 * journald): a plain line at each tenth of the way, or every 5 s while the total is unknown, and a final line.
 */

export interface Progress {
  /** `done` of `total` so far; `total` null while unknown. Cheap enough to call for every item. */
  update(done: number, total: number | null): void;
  /** Ends the display with one final line (`message`, or the count, time and rate); later calls do nothing. */
  done(message?: string): void;
}

/** For tests: the time source. */
export interface ProgressOptions {
  /** Monotonic milliseconds. */
  readonly now?: () => number;
}

const REDRAW_MS = 100;
const PLAIN_EVERY_MS = 5_000;
const BAR_WIDTH = 24;
/** A rate over less time than this says more about the first chunk than about the operation. */
const RATE_AFTER_MS = 500;
const count = new Intl.NumberFormat('en-US');

/** A progress display for `label` on `stream` (default stderr, so that stdout stays the command's answer). */
export function progress(label: string, stream: NodeJS.WriteStream = process.stderr, options: ProgressOptions = {}): Progress {
  const now = options.now ?? ((): number => performance.now());
  const started = now();
  const tty = stream.isTTY === true;
  let last = { done: 0, total: null as number | null };
  let drawnAt = -Infinity;
  let tenth = 0;
  let finished = false;

  const rate = (done: number, at: number): string => {
    const ms = at - started;
    return ms >= RATE_AFTER_MS ? `${count.format(Math.round((done * 1000) / ms))}/s` : '';
  };

  const draw = (at: number): void => {
    const { done, total } = last;
    const line = total === null ? `${label}  ${count.format(done)}  ${rate(done, at)}` : barLine(label, done, total, rate(done, at));
    // Cut to the terminal's width: a wrapped line could not be redrawn in place.
    const width = stream.columns > 1 ? stream.columns - 1 : line.length;
    stream.write(`\r${line.slice(0, width)}\x1b[K`);
    drawnAt = at;
  };

  const plain = (at: number): void => {
    const { done, total } = last;
    if (total !== null && total > 0) {
      // 10% to 90%: the whole way is the final line's to say.
      const reached = Math.floor((done / total) * 10);
      if (reached <= tenth || reached >= 10) return;
      tenth = reached;
      const r = rate(done, at);
      stream.write(`${label}: ${reached * 10}% (${count.format(done)} of ${count.format(total)}${r ? `, ${r}` : ''})\n`);
      return;
    }
    if (total === null && at - drawnAt >= PLAIN_EVERY_MS) {
      // The first line waits 5 s too: a short operation prints only its final line.
      if (drawnAt === -Infinity) {
        drawnAt = started;
        if (at - drawnAt < PLAIN_EVERY_MS) return;
      }
      stream.write(`${label}: ${count.format(done)} so far (${rate(done, at)})\n`);
      drawnAt = at;
    }
  };

  return {
    update(done, total) {
      if (finished) return;
      last = { done, total };
      const at = now();
      if (!tty) plain(at);
      else if (at - drawnAt >= REDRAW_MS) draw(at);
    },
    done(message) {
      if (finished) return;
      finished = true;
      const at = now();
      const seconds = (at - started) / 1000;
      const r = last.done > 0 ? rate(last.done, at) : '';
      const summary = message ?? `done, ${count.format(last.done)} in ${seconds.toFixed(1)} s${r ? ` (${r})` : ''}`;
      stream.write(`${tty ? '\r\x1b[K' : ''}${label}: ${summary}\n`);
    },
  };
}

/** "export  [##########--------------]  42%  42,000/100,000  12,345/s" */
function barLine(label: string, done: number, total: number, rate: string): string {
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  return `${label}  ${bar} ${percent}  ${count.format(done)}/${count.format(total)}  ${rate}`;
}
