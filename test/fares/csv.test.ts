import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/fares/csv.ts';
import { formatProblem, Problems } from '../../src/fares/problems.ts';

function parse(text: string): { values: string[][]; lines: number[]; problems: string[]; columns: string[] } {
  const problems = new Problems();
  const table = parseCsv('x.txt', text, problems);
  const columns = [...table.columns];
  return {
    values: table.records.map((r) => columns.map((c) => r.get(c))),
    lines: table.records.map((r) => r.line),
    problems: problems.sorted().map(formatProblem),
    columns,
  };
}

describe('GTFS CSV', () => {
  it('reads quoted values with commas and doubled quotes, as the reference shows', () => {
    const t = parse('id,name\n1,"Contains ""quotes"", commas and text"\n');
    expect(t.values).toEqual([['1', 'Contains "quotes", commas and text']]);
    expect(t.problems).toEqual([]);
  });

  it('drops a BOM, takes CRLF, trims unquoted values, skips blank lines and keeps true line numbers', () => {
    const t = parse('\uFEFFid , name\r\n a ,b\r\n\r\n"c",\r\n');
    expect(t.columns).toEqual(['id', 'name']);
    expect(t.values).toEqual([['a', 'b'], ['c', '']]);
    expect(t.lines).toEqual([2, 4]);
  });

  it('reports every bad line with its number and keeps the good ones', () => {
    const t = parse('id,name\n1,"open\n2,a"b\n3\n4,"x" y\n5,ok\n');
    expect(t.values).toEqual([['5', 'ok']]);
    expect(t.problems).toEqual([
      'x.txt:2: a quoted value is not closed (GTFS values cannot span lines)',
      'x.txt:3: a quote inside the unquoted value a"b (quote the whole value and double the quote)',
      'x.txt:4: 1 values, but the header names 2 fields',
      'x.txt:5: text after the closing quote of a value',
    ]);
  });

  it('reports a missing header, duplicate and nameless columns', () => {
    expect(parse('').problems).toEqual(['x.txt:1: no header line (the first line names the fields)']);
    expect(parse('id,id,\n').problems).toEqual(['x.txt:1: column "id" appears twice', 'x.txt:1: column 3 has no name']);
  });

  it('gives an absent column as empty', () => {
    const problems = new Problems();
    const table = parseCsv('x.txt', 'id\n1\n', problems);
    expect(table.records[0]?.get('other')).toBe('');
    expect(table.columns.has('other')).toBe(false);
  });
});
