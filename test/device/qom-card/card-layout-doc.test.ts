// The worked example in docs/card-layout.md is checked here, so the layout the city's other systems read
// cannot drift from the code.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { aesCmac } from '../../../device/crypto/aes-cmac.ts';
import { classicKeyInput, macKeyInput } from '../../../device/crypto/card-key-inputs.ts';
import { fromHex } from '../../../device/mifare/hex.ts';
import { clientFor, codec, issuedCard, keys, trip, UID } from '../helpers.ts';

const doc = readFileSync(new URL('../../../docs/card-layout.md', import.meta.url), 'utf8');
const SYSTEM = Buffer.from('Qom Card', 'latin1');

/** The lines of the fenced block that follows `<!-- example:name -->`. */
function example(name: string): string[] {
  const m = new RegExp(`<!-- example:${name} -->\\n\`\`\`text\\n([\\s\\S]*?)\\n\`\`\``).exec(doc);
  if (!m?.[1]) throw new Error(`docs/card-layout.md has no example:${name} block`);
  return m[1].split('\n');
}

/** "label   AA BB …" lines: the hex after the label, continuation lines (label-less) joined on. */
function labelled(name: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let last = '';
  for (const line of example(name)) {
    const m = /^(\S.*?)?\s{2,}((?:[0-9A-F]{2} ?)+)$/.exec(line.trimEnd());
    if (!m?.[2]) throw new Error(`example:${name}: cannot read "${line}"`);
    if (m[1]) last = m[1];
    out.set(last, Buffer.concat([out.get(last) ?? Buffer.alloc(0), fromHex(m[2])]));
  }
  return out;
}

/** " 4 01 98 …   comment" lines: block number and its 16 bytes. */
function blocks(name: string): [number, Buffer][] {
  return example(name).map((line) => {
    const m = /^\s*(\d+) ((?:[0-9A-F]{2} ){15}[0-9A-F]{2})(\s|$)/.exec(line);
    if (!m?.[1] || !m[2]) throw new Error(`example:${name}: cannot read "${line}"`);
    return [Number(m[1]), fromHex(m[2])];
  });
}

describe('docs/card-layout.md worked example', () => {
  it('derives the documented key inputs and keys from the test-only key file', () => {
    const k = labelled('keys');
    expect(k.get('M key A')).toEqual(classicKeyInput(UID, 'A', SYSTEM));
    expect(k.get('M key B')).toEqual(classicKeyInput(UID, 'B', SYSTEM));
    expect(k.get('M MAC key')).toEqual(macKeyInput(UID, SYSTEM));
    expect(k.get('key A')).toEqual(keys.cardKey(UID, 'A'));
    expect(k.get('key B')).toEqual(keys.cardKey(UID, 'B'));
    expect(k.get('MAC key')).toEqual(keys.macKey(UID));
  });

  it('personalizes, debits and blocks the documented card into the documented blocks', async () => {
    const card = await issuedCard();
    const client = clientFor(card);
    const read = await codec.readCard(client, UID);
    const debited = await codec.writePurse(client, read, { balance: 463_000, counter: 1, lastTrip: trip() });
    const debitedBlocks = blocks('blocks');
    expect(debitedBlocks.map(([n]) => n)).toEqual([4, 5, 6, 7, 8, 9, 12, 13]);
    for (const [n, bytes] of debitedBlocks) expect(card.block(n), `block ${n}`).toEqual(bytes);
    expect(card.block(11)).toEqual(card.block(7));
    expect(card.block(15)).toEqual(card.block(7));

    await codec.block(client, debited);
    card.leave();
    for (const [n, bytes] of blocks('blocked')) expect(card.block(n), `block ${n} once blocked`).toEqual(bytes);
  });

  it('computes the documented MAC: AES-CMAC of the documented input under the documented MAC key, cut to 4 bytes', async () => {
    const m = labelled('mac');
    const input = m.get('input')!;
    const card = await issuedCard();
    const client = clientFor(card);
    await codec.writePurse(client, await codec.readCard(client, UID), { balance: 463_000, counter: 1, lastTrip: trip() });
    card.leave();
    expect(input).toEqual(Buffer.concat([UID, card.block(4), card.block(6), card.block(12), card.block(13).subarray(0, 12)]));
    expect(aesCmac(labelled('keys').get('MAC key')!, input)).toEqual(m.get('CMAC'));
    expect(m.get('MAC')).toEqual(m.get('CMAC')!.subarray(0, 4));
    expect(card.block(13).subarray(12)).toEqual(m.get('MAC'));
  });
});
