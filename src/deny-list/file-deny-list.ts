import { readFileSync } from 'node:fs';
import type { DenyEntry, DenyList } from '../domain/deny-list.ts';
import { ErrorCode, ValidatorError } from '../domain/errors.ts';

/** The deny-list file until the signed 10-million-card format lands: `{version, entries: [{cardNumber, reason}]}`. */
export interface DenyListDocument {
  readonly version: string;
  readonly entries: readonly DenyEntry[];
}

/** A deny list held in memory, looked up in O(1). */
export class MemoryDenyList implements DenyList {
  private readonly byNumber: ReadonlyMap<string, DenyEntry>;

  constructor(
    readonly version: string,
    entries: readonly DenyEntry[],
  ) {
    this.byNumber = new Map(entries.map((e) => [e.cardNumber, e]));
  }

  get size(): number {
    return this.byNumber.size;
  }

  lookup(cardNumber: string): DenyEntry | undefined {
    return this.byNumber.get(cardNumber);
  }
}

/**
 * Loads the deny list; a missing file is an empty list of version "none". A damaged file is an error,
 * never an empty list: starting without the entries would let blocked cards ride.
 */
export function loadDenyListFile(path: string): MemoryDenyList {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new MemoryDenyList('none', []);
    throw new ValidatorError(ErrorCode.ConfigInvalid, `cannot read deny list ${path}: ${(e as Error).message}`, { cause: e });
  }
  const fail = (what: string): never => {
    throw new ValidatorError(
      ErrorCode.ConfigInvalid,
      `deny list ${path} is damaged: ${what}. Restore it from the backend or a backup; the validator will not run without its entries`,
    );
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return fail(`not JSON (${(e as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null) return fail('not an object');
  const { version, entries } = doc as Record<string, unknown>;
  if (typeof version !== 'string' || version === '') return fail('"version" must be a non-empty string');
  if (!Array.isArray(entries)) return fail('"entries" must be an array');
  const checked = entries.map((entry: unknown, i): DenyEntry => {
    const e = entry as Record<string, unknown> | null;
    if (typeof e?.cardNumber !== 'string' || !/^\d{1,19}$/.test(e.cardNumber)) {
      return fail(`entries[${i}].cardNumber must be a string of 1 to 19 digits`);
    }
    return { cardNumber: e.cardNumber, reason: typeof e.reason === 'string' ? e.reason : 'unspecified' };
  });
  return new MemoryDenyList(version, checked);
}
