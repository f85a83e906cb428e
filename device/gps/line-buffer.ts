/**
 * Splits a byte stream into lines (LF or CRLF). A receiver sending garbage without line ends cannot make it
 * grow: past `maxLine` characters the partial line is dropped, as no NMEA sentence is longer than 82.
 */
export class LineBuffer {
  private partial = '';

  constructor(private readonly maxLine = 512) {}

  /** The complete lines in this chunk, line ends removed. */
  push(chunk: Buffer | string): string[] {
    // latin1 maps every byte to one character: garbage stays garbage and never throws.
    const text = this.partial + (typeof chunk === 'string' ? chunk : chunk.toString('latin1'));
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    if (this.partial.length > this.maxLine) this.partial = '';
    return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)).filter((l) => l.length <= this.maxLine);
  }

  clear(): void {
    this.partial = '';
  }
}
