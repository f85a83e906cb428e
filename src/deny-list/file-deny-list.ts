import { readFileSync } from 'node:fs';
import type { DenyEntry, DenyList } from '../domain/deny-list.ts';
import { ErrorCode, ValidatorError } from '../domain/errors.ts';

/**
 * The first slice's deny-list file, `{version, entries: [{cardNumber, reason, action?}]}`. DenyListStore
 * (deny-list-store.ts) reads it when the state directory has no snapshot yet, and MemoryDenyList serves
 * small lists in tests.
 */
export interface DenyListDocument {
  readonly version: string;
  readonly entries: readonly DenyEntry[];
}

/** A small deny list held in a Map (tests, simulation). */
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
 * Loads the first slice's JSON deny list; a missing file is an empty list of version "none". A damaged file
 * is an error, never an empty list: starting without the entries would let blocked cards ride.
 * Superseded by DenyListStore.open, which also reads this file when there is no snapshot.
 */
export function loadDenyListFile(path: string): MemoryDenyList {
  const doc = readDenyListDocument(path);
  return doc === null ? new MemoryDenyList('none', []) : new MemoryDenyList(doc.version, doc.entries);
}

/** The JSON list's contents, checked; null when the file does not exist. */
export function readDenyListDocument(path: string): DenyListDocument | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
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
    const action = e.action === 'block' ? 'block' : 'reject';
    return { cardNumber: e.cardNumber, reason: typeof e.reason === 'string' ? e.reason : 'unspecified', action };
  });
  return { version, entries: checked };
}
