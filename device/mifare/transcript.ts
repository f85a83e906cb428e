import { ErrorCode, isValidatorError, ValidatorError } from '../../src/domain/errors.ts';
import type { ApduTransport } from './apdu-transport.ts';
import { fromHex, toHex } from './hex.ts';

/**
 * APDU transcripts in the LedgerHQ style, one exchange per two lines:
 *   => FF B0 00 04 10
 *   <= 00 11 ... 90 00
 * A transport error is recorded as "<= !CARD_REMOVED" (the ErrorCode). Lines starting with # are comments.
 * Transcripts hold key bytes as sent: they are for simulated cards and tests, never for production keys.
 */
export interface TranscriptEntry {
  readonly apdu: Buffer;
  readonly response: Buffer | ErrorCode;
}

/** Passes exchanges through to another transport and writes them down. */
export class RecordingTransport implements ApduTransport {
  readonly entries: TranscriptEntry[] = [];

  constructor(private readonly inner: ApduTransport) {}

  async exchange(apdu: Buffer, timeoutMs: number): Promise<Buffer> {
    try {
      const response = await this.inner.exchange(apdu, timeoutMs);
      this.entries.push({ apdu: Buffer.from(apdu), response: Buffer.from(response) });
      return response;
    } catch (e) {
      if (isValidatorError(e)) this.entries.push({ apdu: Buffer.from(apdu), response: e.code });
      throw e;
    }
  }

  /** The exchanges so far, as transcript text. */
  transcript(): string {
    return formatTranscript(this.entries);
  }
}

/** Answers from a transcript, and fails loudly when the code under test sends something else. */
export class ReplayTransport implements ApduTransport {
  private readonly entries: readonly TranscriptEntry[];
  private next = 0;

  constructor(transcript: string) {
    this.entries = parseTranscript(transcript);
  }

  /** Exchanges of the transcript not yet replayed. */
  get remaining(): number {
    return this.entries.length - this.next;
  }

  exchange(apdu: Buffer, _timeoutMs: number): Promise<Buffer> {
    const entry = this.entries[this.next];
    if (!entry) {
      return Promise.reject(new ValidatorError(ErrorCode.CardProtocol, `replay: the transcript ended, but got => ${toHex(apdu)}`));
    }
    if (!entry.apdu.equals(apdu)) {
      return Promise.reject(
        new ValidatorError(ErrorCode.CardProtocol, `replay: exchange ${this.next + 1} expected => ${toHex(entry.apdu)}, got => ${toHex(apdu)}`),
      );
    }
    this.next += 1;
    const r = entry.response;
    if (typeof r === 'string') return Promise.reject(new ValidatorError(r, `replay: recorded ${r}`));
    return Promise.resolve(Buffer.from(r));
  }
}

/** Transcript text of some exchanges. */
export function formatTranscript(entries: readonly TranscriptEntry[]): string {
  return entries
    .map((e) => `=> ${toHex(e.apdu)}\n<= ${typeof e.response === 'string' ? `!${e.response}` : toHex(e.response)}\n`)
    .join('');
}

/** Parses transcript text; throws RangeError naming the line that is wrong. */
export function parseTranscript(text: string): TranscriptEntry[] {
  const codes = new Set<string>(Object.values(ErrorCode));
  const lines = text
    .split('\n')
    .map((line, i) => ({ line: line.trim(), n: i + 1 }))
    .filter(({ line }) => line !== '' && !line.startsWith('#'));
  const entries: TranscriptEntry[] = [];
  for (let i = 0; i < lines.length; i += 2) {
    const sent = lines[i]!;
    const got = lines[i + 1];
    if (!sent.line.startsWith('=>')) throw new RangeError(`transcript line ${sent.n}: expected "=> <apdu>"`);
    if (!got?.line.startsWith('<=')) throw new RangeError(`transcript line ${sent.n + 1}: expected "<= <response>" after line ${sent.n}`);
    const answer = got.line.slice(2).trim();
    let response: Buffer | ErrorCode;
    if (answer.startsWith('!')) {
      const code = answer.slice(1);
      if (!codes.has(code)) throw new RangeError(`transcript line ${got.n}: unknown error code ${code}`);
      response = code as ErrorCode;
    } else {
      response = fromHex(answer);
    }
    entries.push({ apdu: fromHex(sent.line.slice(2)), response });
  }
  return entries;
}
