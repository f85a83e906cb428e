import { ErrorCode, ValidatorError } from '../domain/errors.ts';
import { FareBundle } from './fare-bundle.ts';
import { checkManifest, type Manifest } from './manifest.ts';
import { type BundleProblem, formatProblem, Problems } from './problems.ts';
import { readServiceDates } from './read-calendar.ts';
import { readLegRules } from './read-leg-rules.ts';
import { readPlaces } from './read-places.ts';
import { readProducts } from './read-products.ts';
import { readTransferRules } from './read-transfer-rules.ts';
import { BundleTables } from './tables.ts';
import { Timeframes } from './timeframes.ts';

/** A bundle as the backend sends it: the manifest's fields and each GTFS file's text by name. */
export interface FareBundleDocument extends Manifest {
  readonly files: Readonly<Record<string, string>>;
}

export type LoadResult = { readonly ok: true; readonly bundle: FareBundle } | { readonly ok: false; readonly problems: readonly BundleProblem[] };

/**
 * Checks the backend's document ({version, effectiveFrom, currency, timezone, files: {name: csv text}}) and
 * compiles it. Every problem is reported, as "document" for the envelope and by file and line for the files.
 */
export function fareBundleFromDocument(value: unknown): LoadResult {
  const problems = new Problems();
  const manifest = checkManifest(value, 'document', problems, ['files']);
  const files = (value as { files?: unknown } | null)?.files;
  if (typeof files !== 'object' || files === null || Array.isArray(files)) {
    problems.add('document', 0, '"files" must be an object of file name to CSV text');
    return { ok: false, problems: problems.sorted() };
  }
  const texts: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) {
    if (typeof text === 'string') texts[name] = text;
    else problems.add(name, 0, 'the document gives this file as something other than text');
  }
  return compile(manifest, texts, problems);
}

/**
 * Checks and compiles a bundle whose manifest was read from `manifestName` (a directory's manifest.json).
 * `manifestValue` undefined: the caller could not read the manifest and has said why in `problems`.
 */
export function compileFareBundle(
  manifestValue: unknown,
  files: Readonly<Record<string, string>>,
  manifestName: string,
  problems = new Problems(),
): LoadResult {
  const manifest = manifestValue === undefined ? null : checkManifest(manifestValue, manifestName, problems);
  return compile(manifest, files, problems);
}

function compile(manifest: ReturnType<typeof checkManifest>, files: Readonly<Record<string, string>>, problems: Problems): LoadResult {
  const tables = new BundleTables(files, problems);
  // Without a valid manifest the files are still checked, against the defaults, so that every problem shows at once.
  const timeZone = manifest?.timezone ?? 'Asia/Tehran';
  const places = readPlaces(tables, timeZone);
  const products = readProducts(tables, manifest?.currency ?? 'IRR');
  const timeframes = Timeframes.read(tables, readServiceDates(tables));
  const legs = readLegRules(tables, places, products, timeframes);
  const transfers = readTransferRules(tables, legs, products);
  if (tables.has('fare_media.txt') && ![...products.media.values()].some((m) => m.type === 2)) {
    problems.add('fare_media.txt', 0, 'no transit card (fare_media_type 2): the Qom Card must be one of the media');
  }
  if (tables.has('fare_leg_rules.txt') && legs.rules.length === 0 && problems.count === 0) {
    problems.add('fare_leg_rules.txt', 0, 'no rules: every tap would be refused');
  }
  if (manifest === null || problems.count > 0) return { ok: false, problems: problems.sorted() };
  return { ok: true, bundle: new FareBundle({ manifest, places, products, legs, transfers, timeframes }) };
}

/** The bundle, or a ValidatorError listing every problem (one a line) for a caller that cannot go on without it. */
export function requireBundle(result: LoadResult, source: string): FareBundle {
  if (result.ok) return result.bundle;
  const lines = result.problems.map((p) => `  ${formatProblem(p)}`).join('\n');
  throw new ValidatorError(ErrorCode.ConfigInvalid, `fare bundle ${source} is refused (${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}):\n${lines}`);
}
