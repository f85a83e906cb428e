import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/control/line-splitter.ts';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('LineSplitter', () => {
  it('returns complete lines and keeps the partial one for the next chunk', () => {
    const s = new LineSplitter(100);
    expect(s.push(b('one\ntw'))).toEqual([{ kind: 'line', text: 'one' }]);
    expect(s.push(b('o\n\n  \nthree\r\n'))).toEqual([
      { kind: 'line', text: 'two' },
      { kind: 'line', text: 'three' },
    ]);
  });

  it('decodes a UTF-8 character split across chunks whole', () => {
    const s = new LineSplitter(100);
    const bytes = b('سلام\n');
    expect(s.push(bytes.subarray(0, 3))).toEqual([]);
    expect(s.push(bytes.subarray(3))).toEqual([{ kind: 'line', text: 'سلام' }]);
  });

  it('reports an oversize line as soon as it passes the cap, drops it to its newline, then goes on', () => {
    const s = new LineSplitter(10);
    expect(s.push(b('0123456789'))).toEqual([]);
    expect(s.push(b('A'))).toEqual([{ kind: 'oversize', bytes: 11 }]);
    expect(s.push(b('more of the same line'))).toEqual([]);
    expect(s.push(b('end\nnext\n'))).toEqual([{ kind: 'line', text: 'next' }]);
  });

  it('reports an oversize line that arrives whole in one chunk', () => {
    const s = new LineSplitter(4);
    expect(s.push(b('12345\nok\n'))).toEqual([
      { kind: 'oversize', bytes: 5 },
      { kind: 'line', text: 'ok' },
    ]);
  });

  it('takes a line of exactly the cap', () => {
    expect(new LineSplitter(4).push(b('1234\n'))).toEqual([{ kind: 'line', text: '1234' }]);
  });
});
