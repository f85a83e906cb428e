/** Cuts a byte stream into newline-terminated lines, with a cap on how much one line may hold. */

/** What a chunk finishes: a line, or the news that a line was too long. */
export type LineEvent =
  | { readonly kind: 'line'; readonly text: string }
  /** A line grew past the cap: its bytes so far are dropped, and so is the rest of it up to its newline. */
  | { readonly kind: 'oversize'; readonly bytes: number };

const NEWLINE = 0x0a;

/**
 * Feed it chunks as they arrive; it returns the complete lines in them.
 *
 * Bytes are kept until the newline, then decoded, so a UTF-8 character split across chunks arrives whole.
 * An oversize line is reported as soon as it passes the cap, not at its newline, so a peer that never sends
 * one is still answered; the stream stays usable from the next line on.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private discarding = false;

  constructor(private readonly maxBytes: number) {}

  /** The complete lines (and oversize reports) that this chunk finishes. Blank lines are skipped. */
  push(chunk: Buffer): LineEvent[] {
    const events: LineEvent[] = [];
    let rest = chunk;
    for (let nl = rest.indexOf(NEWLINE); nl !== -1; nl = rest.indexOf(NEWLINE)) {
      const head = rest.subarray(0, nl);
      rest = rest.subarray(nl + 1);
      if (this.discarding) {
        this.discarding = false;
      } else if (this.size + head.length > this.maxBytes) {
        events.push({ kind: 'oversize', bytes: this.size + head.length });
      } else {
        // A trailing CR is dropped so that lines typed into a terminal (CRLF) read the same.
        const text = Buffer.concat([...this.parts, head]).toString('utf8').replace(/\r$/, '');
        if (text.trim() !== '') events.push({ kind: 'line', text });
      }
      this.parts = [];
      this.size = 0;
    }
    if (this.discarding || rest.length === 0) return events;
    this.size += rest.length;
    if (this.size > this.maxBytes) {
      events.push({ kind: 'oversize', bytes: this.size });
      this.parts = [];
      this.size = 0;
      this.discarding = true;
    } else {
      this.parts.push(rest);
    }
    return events;
  }
}
