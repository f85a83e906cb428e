import { describe, expect, it } from 'vitest';
import { keyHalves, keyOf } from '../../src/deny-list/card-key.ts';
import { ListLine } from '../../src/deny-list/list-line.ts';

function read(text: string): { problem: string | null; op: string; key: number[]; reason: string; action: string } {
  const line = new ListLine();
  const bytes = Buffer.from(`garbage before|${text}|after`);
  const start = bytes.indexOf('|') + 1;
  const problem = line.read(bytes, start, bytes.lastIndexOf('|'));
  return { problem, op: line.op, key: [...line.key], reason: line.reason, action: line.action };
}

function keyFor(card: string): number[] {
  const out = keyHalves();
  keyOf(card, out);
  return [...out];
}

describe('an entry line', () => {
  it('reads the canonical form and every other spelling of the same JSON alike', () => {
    const expected = { problem: null, op: 'add', key: keyFor('0098260001'), reason: 'stolen', action: 'block' };
    const spellings = [
      '{"op":"add","card":"0098260001","reason":"stolen","action":"block"}',
      '{ "op": "add", "card": "0098260001", "reason": "stolen", "action": "block" }',
      '{"action":"block","reason":"stolen","card":"0098260001","op":"add"}',
      '{"op":"add","card":"0098260001","reason":"st\\u006flen","action":"block"}',
      '{"op":"add","card":"0098260001","reason":"stolen","action":"block"}\r',
    ];
    for (const text of spellings) expect(read(text), text).toEqual(expected);
  });

  it('reads removes, with or without the reason and action they lift', () => {
    expect(read('{"op":"remove","card":"42"}')).toMatchObject({ problem: null, op: 'remove', key: keyFor('42') });
    expect(read('{"op":"remove","card":"42","reason":"lost","action":"reject"}')).toMatchObject({ problem: null, op: 'remove' });
  });

  it('keeps non-ASCII reasons exactly', () => {
    expect(read('{"op":"add","card":"1","reason":"گم شده","action":"reject"}')).toMatchObject({ problem: null, reason: 'گم شده' });
  });

  it('says what is wrong with a bad line', () => {
    const cases: [string, RegExp][] = [
      ['{"op":"add","card":"1","reason":"lost"', /not JSON/],
      ['[1,2]', /not a JSON object/],
      ['{"op":"update","card":"1"}', /"op" must be "add" or "remove", not "update"/],
      ['{"op":"add","card":1,"reason":"lost","action":"reject"}', /"card" must be a string of 1 to 19 digits .* not 1$/],
      ['{"op":"add","card":"12345678901234567890","reason":"lost","action":"reject"}', /"card" must be a string of 1 to 19 digits/],
      ['{"op":"add","card":"","reason":"lost","action":"reject"}', /"card"/],
      ['{"op":"add","card":"12","reason":"","action":"reject"}', /"reason" must be a string of 1 to 64/],
      ['{"op":"add","card":"12","reason":"a\\nb","action":"reject"}', /without control characters/],
      ['{"op":"add","card":"12","action":"reject"}', /"reason"/],
      ['{"op":"add","card":"12","reason":"lost","action":"deny"}', /"action" must be "reject" or "block", not "deny"/],
      ['{"op":"add","card":"12","reason":"lost","action":"reject","until":"2027"}', /unknown field "until"/],
      ['{"op":"remove","card":"12","action":"maybe"}', /"action"/],
    ];
    for (const [text, message] of cases) expect(read(text).problem, text).toMatch(message);
  });

  it('does not let a line reuse the previous line\'s reason by mistake', () => {
    const line = new ListLine();
    const lines = ['{"op":"add","card":"1","reason":"lost","action":"reject"}', '{"op":"remove","card":"2"}', '{"op":"add","card":"3","reason":"lose","action":"reject"}'];
    const reasons = lines.map((text) => {
      const bytes = Buffer.from(text);
      expect(line.read(bytes, 0, bytes.length)).toBeNull();
      return line.reason;
    });
    expect(reasons).toEqual(['lost', '', 'lose']);
  });
});
