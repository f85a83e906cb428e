import { NmeaFixTracker, type SentenceResult, type TrackedFix } from './nmea-fix-tracker.ts';

/** One line of a recording and the fix after it. */
export interface ReplayStep {
  /** 1-based line number in the recording. */
  readonly line: number;
  readonly sentence: string;
  readonly result: SentenceResult;
  readonly fix: TrackedFix;
}

/**
 * Replays a receiver's recording (gpsd's test log format: `#` header lines, then the bytes as sent, CRLF or
 * LF) through the same tracker as the live port. Header and blank lines are skipped.
 */
export function* replayNmea(text: string, tracker = new NmeaFixTracker()): Generator<ReplayStep> {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const sentence = (lines[i] ?? '').replace(/\r$/, '');
    if (sentence === '' || sentence.startsWith('#')) continue;
    yield { line: i + 1, sentence, result: tracker.accept(sentence), fix: tracker.fix };
  }
}
