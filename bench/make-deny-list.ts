/**
 * Writes a generated deny list, the same every run:
 *   npx tsx bench/make-deny-list.ts full  --version v1 --count 10000000 --out list.ndjson.gz
 *   npx tsx bench/make-deny-list.ts delta --version v2 --base v1 --base-count 10000000 --adds 80000 --removes 20000 --out delta.ndjson.gz
 * A name ending in .gz is gzip-compressed; anything else is plain NDJSON.
 */
import { parseArgs } from 'node:util';
import { deltaLines, fullListLines, writeLines } from './deny-list-fixtures.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    version: { type: 'string' },
    base: { type: 'string' },
    count: { type: 'string', default: '100000' },
    'base-count': { type: 'string' },
    adds: { type: 'string', default: '80000' },
    removes: { type: 'string', default: '20000' },
    out: { type: 'string' },
  },
});

function whole(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} must be a whole number ≥ 0, not "${value}"`);
  return n;
}

const kind = positionals[0];
const out = values.out;
if ((kind !== 'full' && kind !== 'delta') || out === undefined || values.version === undefined) {
  console.error('usage: make-deny-list.ts full|delta --version V --out FILE [--count N] [--base V --base-count N --adds N --removes N]');
  process.exit(2);
}
const started = performance.now();
if (kind === 'full') {
  await writeLines(out, fullListLines(values.version, whole('count', values.count)));
} else {
  if (values.base === undefined) throw new Error('a delta needs --base (the version it applies to)');
  const lines = deltaLines(values.version, values.base, whole('base-count', values['base-count']), whole('adds', values.adds), whole('removes', values.removes));
  await writeLines(out, lines);
}
console.log(`wrote ${out} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
