import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { progress } from '../../src/cli/progress.ts';

/** A stream that keeps what is written; a terminal of 80 columns when `tty`. */
function capture(tty: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  }) as unknown as NodeJS.WriteStream;
  if (tty) Object.assign(stream, { isTTY: true, columns: 80 });
  return { stream, text: () => chunks.join('') };
}

/** A clock the test moves by hand. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 0;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('progress', () => {
  it('prints a plain line at each tenth and a final line when the output is not a terminal', () => {
    const out = capture(false);
    const clock = manualClock();
    const p = progress('export', out.stream, { now: clock.now });
    for (let done = 0; done <= 1000; done += 1) {
      clock.advance(done < 100 ? 1 : 10);
      p.update(done, 1000);
    }
    p.done('1,000 taps written to /media/usb/x.ndjson');
    const lines = out.text().trimEnd().split('\n');
    expect(lines).toEqual([
      // The first tenth came within half a second: too soon for a rate worth showing.
      'export: 10% (100 of 1,000)',
      'export: 20% (200 of 1,000, 180/s)',
      'export: 30% (300 of 1,000, 142/s)',
      'export: 40% (400 of 1,000, 129/s)',
      'export: 50% (500 of 1,000, 122/s)',
      'export: 60% (600 of 1,000, 117/s)',
      'export: 70% (700 of 1,000, 115/s)',
      'export: 80% (800 of 1,000, 113/s)',
      'export: 90% (900 of 1,000, 111/s)',
      'export: 1,000 taps written to /media/usb/x.ndjson',
    ]);
    expect(out.text()).not.toContain('\r');
  });

  it('skips the tenths a jump passes over, and says nothing more after done', () => {
    const out = capture(false);
    const clock = manualClock();
    const p = progress('import', out.stream, { now: clock.now });
    clock.advance(1000);
    p.update(55, 100);
    p.update(56, 100);
    clock.advance(1000);
    p.update(100, 100);
    p.done();
    p.update(100, 100);
    p.done('again');
    expect(out.text()).toBe('import: 50% (55 of 100, 55/s)\nimport: done, 100 in 2.0 s (50/s)\n');
  });

  it('with no total, a line every 5 s and none for a short run', () => {
    const out = capture(false);
    const clock = manualClock();
    const p = progress('sync', out.stream, { now: clock.now });
    for (let s = 1; s <= 12; s++) {
      clock.advance(1000);
      p.update(s * 100, null);
    }
    p.done();
    expect(out.text()).toBe('sync: 500 so far (100/s)\nsync: 1,000 so far (100/s)\nsync: done, 1,200 in 12.0 s (100/s)\n');

    const quick = capture(false);
    const q = progress('sync', quick.stream, { now: clock.now });
    q.update(3, null);
    q.done('3 taps uploaded');
    expect(quick.text()).toBe('sync: 3 taps uploaded\n');
  });

  it('on a terminal redraws one bar in place at most ten times a second, then ends the line', () => {
    const out = capture(true);
    const clock = manualClock();
    const p = progress('export', out.stream, { now: clock.now });
    for (let done = 0; done <= 1000; done++) {
      clock.advance(1);
      p.update(done, 1000);
    }
    p.done();
    // The erase-to-end-of-line after each draw, spelled out so that the checks can read it.
    const text = out.text().replaceAll('\x1b[K', '<EL>');
    const draws = text.split('\r').filter((d) => d.startsWith('export  ['));
    // 1,000 updates over 1 s: about ten draws, not a thousand.
    expect(draws.length).toBeGreaterThanOrEqual(9);
    expect(draws.length).toBeLessThanOrEqual(11);
    expect(draws[5]).toMatch(/^export {2}\[#{12}-{12}\] {2}50% {2}500\/1,000 {2}\d{3}\/s<EL>$/);
    expect(text).toMatch(/\r<EL>export: done, 1,000 in 1\.0 s \(999\/s\)\n$/);
    expect(text.split('\n')).toHaveLength(2);
  });
});
