// The worked examples in docs/journal-format.md are checked here, so the spec the backend relies on cannot drift.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalEncoding, GENESIS_HASH, tapHash } from '../../src/journal/canonical.ts';
import { checkTapFields } from '../../src/journal/check-tap-fields.ts';
import { useTempDir } from './helpers/temp-dir.ts';
import { openTestJournal } from './helpers/test-journal.ts';

const doc = readFileSync(new URL('../../docs/journal-format.md', import.meta.url), 'utf8');

/** The fenced block that follows `<!-- example:N:part -->`. */
function block(n: number, part: 'fields' | 'encoding' | 'hash'): string {
  const m = new RegExp(`<!-- example:${n}:${part} -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\\n\`\`\``).exec(doc);
  if (!m?.[1]) throw new Error(`docs/journal-format.md has no example:${n}:${part} block`);
  return m[1];
}

const example1 = checkTapFields(JSON.parse(block(1, 'fields')));
const example2 = checkTapFields(JSON.parse(block(2, 'fields')));

describe('docs/journal-format.md worked examples', () => {
  const dir = useTempDir();

  it('record 1 encodes to the documented bytes and hash', () => {
    const encoding = canonicalEncoding(1, GENESIS_HASH, example1);
    expect(encoding).toBe(block(1, 'encoding'));
    expect(Buffer.byteLength(encoding, 'utf8')).toBe(Number(/these (\d+) bytes/.exec(doc)?.[1]));
    expect(createHash('sha256').update(encoding).digest('hex')).toBe(block(1, 'hash'));
  });

  it('record 2 links to record 1 and encodes to the documented bytes and hash', () => {
    const prev = block(1, 'hash');
    expect(canonicalEncoding(2, prev, example2)).toBe(block(2, 'encoding'));
    expect(tapHash(2, prev, example2)).toBe(block(2, 'hash'));
  });

  it('a real journal stores the examples with exactly the documented hashes', () => {
    const journal = openTestJournal(dir.path);
    const intent = example2.intentId ?? '';
    journal.append(example1);
    journal.beginDebit({ id: intent, createdAt: example2.time - 400, cardUid: example2.cardUid, counterBefore: 118, counterAfter: 119, tap: example2 });
    const second = journal.resolveDebit(intent, example2);
    expect(journal.list(0, 10).map((r) => r.hash)).toEqual([block(1, 'hash'), block(2, 'hash')]);
    expect(second.prevHash).toBe(block(1, 'hash'));
    journal.close();
  });
});
