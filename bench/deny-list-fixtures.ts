/** Big deny lists for the bench and tests, the same every run: realistic 16-digit Qom Card numbers, NDJSON. */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

/** Two issuer prefixes, a 9-digit serial and a Luhn check digit: what real cards look like. */
const ISSUERS = ['982600', '982601'] as const;
const SERIALS = 1_000_000_000;
/** Odd and prime to 10⁹: `i ↦ (A·i + B) mod 10⁹` visits every serial once, in an order that looks random. */
const A = 387_420_489;
const B = 123_456_789;

/** Reasons in the proportions a deny list might have, with the action the backend would give each. */
const KINDS = [
  { weight: 50, reason: 'lost', action: 'reject' },
  { weight: 20, reason: 'stolen', action: 'block' },
  { weight: 5, reason: 'fraud', action: 'block' },
  { weight: 25, reason: 'debt', action: 'reject' },
] as const;

/** The i-th card of the generated population: distinct for every i below 2·10⁹. */
export function generatedCard(i: number): string {
  const issuer = ISSUERS[i % 2] ?? ISSUERS[0];
  const serial = Number((BigInt(A) * BigInt(Math.floor(i / 2)) + BigInt(B)) % BigInt(SERIALS));
  const body = issuer + String(serial).padStart(9, '0');
  return body + luhnDigit(body);
}

function luhnDigit(body: string): string {
  let sum = 0;
  for (let k = 0; k < body.length; k++) {
    let d = body.charCodeAt(body.length - 1 - k) - 48;
    if (k % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

function kindOf(i: number): (typeof KINDS)[number] {
  let slot = (i * 37) % 100;
  for (const kind of KINDS) {
    if (slot < kind.weight) return kind;
    slot -= kind.weight;
  }
  return KINDS[0];
}

function addLine(i: number): string {
  const kind = kindOf(i);
  return `{"op":"add","card":"${generatedCard(i)}","reason":"${kind.reason}","action":"${kind.action}"}\n`;
}

/** A full list: cards 0 … count−1. */
export function* fullListLines(version: string, count: number): Generator<string> {
  yield `${JSON.stringify({ version, kind: 'full', baseVersion: null, count })}\n`;
  for (let i = 0; i < count; i++) yield addLine(i);
}

/**
 * A delta on top of `fullListLines(baseVersion, baseCount)`: `adds` new cards (baseCount …) and `removes`
 * cards of the base, spread over it.
 */
export function* deltaLines(version: string, baseVersion: string, baseCount: number, adds: number, removes: number): Generator<string> {
  yield `${JSON.stringify({ version, kind: 'delta', baseVersion, count: adds + removes })}\n`;
  for (let i = 0; i < adds; i++) yield addLine(baseCount + i);
  const step = Math.max(1, Math.floor(baseCount / Math.max(1, removes)));
  for (let r = 0; r < removes; r++) yield `{"op":"remove","card":"${generatedCard(r * step)}"}\n`;
}

/** Writes lines to a file, gzip-compressed when the name ends in .gz; complete or not there at all. */
export async function writeLines(path: string, lines: Iterable<string>): Promise<void> {
  const temp = `${path}.partial`;
  const file = createWriteStream(temp);
  const gzip = path.endsWith('.gz') ? createGzip({ level: 6 }) : null;
  if (gzip) gzip.pipe(file);
  const out = gzip ?? file;
  let batch = '';
  for (const line of lines) {
    batch += line;
    if (batch.length < 1 << 16) continue;
    if (!out.write(batch)) await once(out, 'drain');
    batch = '';
  }
  out.end(batch);
  await finished(file);
  await rename(temp, path);
}
