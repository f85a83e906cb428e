import { parseCsv, type CsvRecord, type CsvTable } from './csv.ts';
import { FARE_FILES, type FareFileName, isFareFile, REFUSED_FILES, REQUIRED_FILES } from './file-schemas.ts';
import type { Parsed } from './gtfs-values.ts';
import type { Problems } from './problems.ts';

/** The bundle's files, parsed on first use and checked against their schema (every column known, required ones present). */
export class BundleTables {
  private readonly parsed = new Map<FareFileName, CsvTable>();

  constructor(
    private readonly files: Readonly<Record<string, string>>,
    readonly problems: Problems,
  ) {
    for (const name of Object.keys(files)) {
      const refused = REFUSED_FILES[name];
      if (refused !== undefined) problems.add(name, 0, refused);
      else if (!isFareFile(name)) problems.add(name, 0, `not a file of a fare bundle (known: ${Object.keys(FARE_FILES).join(', ')})`);
    }
    for (const name of REQUIRED_FILES) if (files[name] === undefined) problems.add(name, 0, 'missing: a fare bundle needs it');
  }

  has(name: FareFileName): boolean {
    return this.files[name] !== undefined;
  }

  /** The file's table; an absent file is an empty table, so callers need no special case. */
  get(name: FareFileName): CsvTable {
    let table = this.parsed.get(name);
    if (!table) {
      const text = this.files[name];
      table = text === undefined ? { file: name, columns: new Set(), records: [] } : this.check(parseCsv(name, text, this.problems));
      this.parsed.set(name, table);
    }
    return table;
  }

  private check(table: CsvTable): CsvTable {
    const schema = FARE_FILES[table.file as FareFileName];
    const known = new Set<string>([...schema.required, ...schema.optional]);
    for (const column of table.columns) {
      // A misspelt column would be silently ignored and change the fares (a missing rule_priority column changes
      // what empty fields mean), so an unknown column is an error, not a warning.
      if (!known.has(column)) this.problems.add(table.file, 1, `unknown column "${column}" (known: ${[...known].join(', ')})`);
    }
    for (const column of schema.required) {
      if (!table.columns.has(column)) this.problems.add(table.file, 1, `column "${column}" is missing (required)`);
    }
    return table;
  }
}

/** A required field's value, or null after reporting that it is empty. */
export function requiredValue(table: CsvTable, record: CsvRecord, column: string, problems: Problems): string | null {
  const value = record.get(column);
  if (value !== '') return value;
  problems.add(table.file, record.line, `${column} is empty (required)`);
  return null;
}

/** A parsed value, or null after reporting why it could not be parsed. */
export function checked<T>(table: CsvTable, record: CsvRecord, column: string, result: Parsed<T>, problems: Problems): T | null {
  if (result.ok) return result.value;
  problems.add(table.file, record.line, `${column}: ${result.error}`);
  return null;
}

/** Reports records that repeat a primary key, naming the line of the first. */
export function uniqueKeys(table: CsvTable, columns: readonly string[], problems: Problems): void {
  const seen = new Map<string, number>();
  for (const r of table.records) {
    const key = columns.map((c) => r.get(c)).join('\u0000');
    const first = seen.get(key);
    if (first === undefined) seen.set(key, r.line);
    else problems.add(table.file, r.line, `repeats line ${first} (${columns.map((c) => `${c}=${r.get(c) || '(empty)'}`).join(', ')})`);
  }
}
