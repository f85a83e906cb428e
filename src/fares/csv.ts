import type { Problems } from './problems.ts';

/** One record of a GTFS file, with the line it is on for error messages. */
export interface CsvRecord {
  readonly line: number;
  /** The value of a column; '' when the column is absent or the value empty. */
  get(column: string): string;
}

/** A parsed GTFS file: which columns exist (GTFS gives an existing column meaning even when empty) and its records. */
export interface CsvTable {
  readonly file: string;
  readonly columns: ReadonlySet<string>;
  readonly records: readonly CsvRecord[];
}

/**
 * Parses a GTFS file: comma-separated, first line the field names, RFC 4180 quoting ("a ""b""", c).
 * GTFS forbids line breaks inside values, so a record is one line and its line number is exact.
 * Unquoted values are trimmed; a leading BOM is dropped. Problems are reported, never thrown.
 */
export function parseCsv(file: string, text: string, problems: Problems): CsvTable {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const headerLine = lines[0] ?? '';
  const header = splitLine(headerLine);
  if (typeof header === 'string' || headerLine.trim() === '') {
    problems.add(file, 1, typeof header === 'string' ? `header: ${header}` : 'no header line (the first line names the fields)');
    return { file, columns: new Set(), records: [] };
  }
  const index = new Map<string, number>();
  header.forEach((name, i) => {
    if (name === '') problems.add(file, 1, `column ${i + 1} has no name`);
    else if (index.has(name)) problems.add(file, 1, `column "${name}" appears twice`);
    else index.set(name, i);
  });

  const records: CsvRecord[] = [];
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    if (raw.trim() === '') continue;
    const values = splitLine(raw);
    if (typeof values === 'string') {
      problems.add(file, i + 1, values);
      continue;
    }
    if (values.length !== header.length) {
      problems.add(file, i + 1, `${values.length} values, but the header names ${header.length} fields`);
      continue;
    }
    records.push(record(i + 1, values, index));
  }
  return { file, columns: new Set(index.keys()), records };
}

function record(line: number, values: readonly string[], index: ReadonlyMap<string, number>): CsvRecord {
  return {
    line,
    get: (column) => {
      const i = index.get(column);
      return i === undefined ? '' : (values[i] ?? '');
    },
  };
}

/** The values of one line, or what is wrong with its quoting. */
function splitLine(line: string): string[] | string {
  const values: string[] = [];
  let i = 0;
  for (;;) {
    while (line[i] === ' ') i++;
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const quote = line.indexOf('"', i);
        if (quote < 0) return 'a quoted value is not closed (GTFS values cannot span lines)';
        value += line.slice(i, quote);
        i = quote + 1;
        if (line[i] !== '"') break;
        value += '"';
        i++;
      }
      while (line[i] === ' ') i++;
      if (i < line.length && line[i] !== ',') return 'text after the closing quote of a value';
      values.push(value);
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      const value = line.slice(i, end).trim();
      if (value.includes('"')) return `a quote inside the unquoted value ${value} (quote the whole value and double the quote)`;
      values.push(value);
      i = end;
    }
    if (i >= line.length) return values;
    i++;
  }
}
