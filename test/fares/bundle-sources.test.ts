import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, isValidatorError } from '../../src/domain/errors.ts';
import { fareBundleFromDocument, requireBundle } from '../../src/fares/load-fare-bundle.ts';
import { formatProblem } from '../../src/fares/problems.ts';
import { loadFareBundleDir } from '../../src/fares/read-bundle-dir.ts';

const SAMPLE = join(import.meta.dirname, '../../fares/qom-1404');
const dirs: string[] = [];

function copyOfSample(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fares-'));
  dirs.push(dir);
  cpSync(SAMPLE, dir, { recursive: true });
  return dir;
}

/** The sample bundle as the backend would send it. */
function sampleDocument(): Record<string, unknown> {
  const manifest = JSON.parse(readFileSync(join(SAMPLE, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  const files: Record<string, string> = {};
  for (const name of ['fare_media.txt', 'rider_categories.txt', 'fare_products.txt', 'fare_leg_rules.txt', 'fare_transfer_rules.txt', 'timeframes.txt', 'calendar_dates.txt']) {
    files[name] = readFileSync(join(SAMPLE, name), 'utf8');
  }
  return { ...manifest, files };
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('a bundle from a directory and from the backend\'s document', () => {
  it('compiles the same bundle either way', () => {
    const fromDir = loadFareBundleDir(SAMPLE);
    const fromDoc = fareBundleFromDocument(sampleDocument());
    if (!fromDir.ok || !fromDoc.ok) return expect.fail('refused');
    expect(fromDoc.bundle.summary).toEqual(fromDir.bundle.summary);
    expect(fromDoc.bundle.effectiveFrom).toBe(Date.UTC(2025, 3, 20, 20, 30, 0));
  });

  it('refuses a document of the wrong shape, naming the envelope "document"', () => {
    const bad = fareBundleFromDocument({ ...sampleDocument(), currency: 'EUR', files: { 'fare_media.txt': 42 } });
    expect(bad.ok ? [] : bad.problems.map(formatProblem)).toEqual([
      'document: currency EUR: the Qom Card keeps integer rials, so the currency must be IRR',
      'fare_leg_rules.txt: missing: a fare bundle needs it',
      'fare_media.txt: the document gives this file as something other than text',
      'fare_media.txt: missing: a fare bundle needs it',
      'fare_products.txt: missing: a fare bundle needs it',
      'rider_categories.txt: missing: a fare bundle needs it',
    ]);
    expect(fareBundleFromDocument([]).ok).toBe(false);
    const noFiles = fareBundleFromDocument({ version: 'v', effectiveFrom: '2025-01-01', currency: 'IRR', timezone: 'Asia/Tehran' });
    expect(noFiles.ok ? [] : noFiles.problems.map(formatProblem)).toEqual(['document: "files" must be an object of file name to CSV text']);
  });

  it('reads only the manifest and the .txt files of a directory, and says what is missing or unreadable', () => {
    const dir = copyOfSample();
    writeFileSync(join(dir, 'notes.md'), '# not part of the bundle\n');
    expect(loadFareBundleDir(dir).ok).toBe(true);
    writeFileSync(join(dir, 'manifest.json'), '{ "version": ');
    rmSync(join(dir, 'fare_products.txt'));
    const result = loadFareBundleDir(dir);
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      'fare_leg_rules.txt:2: fare_product_id boarding is not in fare_products.txt',
      'fare_leg_rules.txt:3: fare_product_id free_day is not in fare_products.txt',
      'fare_products.txt: missing: a fare bundle needs it',
      expect.stringMatching(/^manifest\.json: not valid JSON: /) as unknown as string,
    ]);
    rmSync(join(dir, 'manifest.json'));
    const noManifest = loadFareBundleDir(dir);
    expect(noManifest.ok ? [] : noManifest.problems.map(formatProblem)).toContain('manifest.json: missing: version, effectiveFrom, currency and timezone go there');
    const nowhere = loadFareBundleDir(join(dir, 'nowhere'));
    expect(nowhere.ok ? [] : nowhere.problems.map(formatProblem)).toEqual([expect.stringMatching(/nowhere: cannot read the directory: ENOENT/) as unknown as string]);
  });

  it('throws one ValidatorError listing every problem for a caller that cannot go on without the bundle', () => {
    const dir = copyOfSample();
    writeFileSync(join(dir, 'fare_products.txt'), 'fare_product_id,amount,currency\nboarding,37000.5,IRR\nfree_day,0,USD\n');
    let error: unknown;
    try {
      requireBundle(loadFareBundleDir(dir), dir);
    } catch (e) {
      error = e;
    }
    expect(isValidatorError(error, ErrorCode.ConfigInvalid)).toBe(true);
    expect((error as Error).message).toBe(
      `fare bundle ${dir} is refused (2 problems):\n` +
        '  fare_products.txt:2: amount: amount 37000.5 is not whole rials (the card keeps integer rials)\n' +
        "  fare_products.txt:3: currency USD: the bundle's currency is IRR",
    );
  });
});
