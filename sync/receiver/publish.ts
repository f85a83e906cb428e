/** Admin side of the receiver: changing the deny list (each change a signed delta and a signed full list) and publishing fare bundles. */
import { gzipSync } from 'node:zlib';
import type { KeyObject } from 'node:crypto';
import { signContent } from '../contract/signing.ts';
import type { ReceiverStore } from './receiver-store.ts';

export type DenyChange =
  | { readonly op: 'add'; readonly card: string; readonly reason: string; readonly action: 'reject' | 'block' }
  | { readonly op: 'remove'; readonly card: string };

const CARD = /^\d{1,19}$/;

/** Applies changes to the entries and publishes version N+1 as a delta on N and as a full list. Returns the new version. */
export function changeDenyList(store: ReceiverStore, key: KeyObject, changes: readonly DenyChange[], now: number): string {
  for (const c of changes) {
    if (!CARD.test(c.card)) throw new Error(`"${c.card}" is not a card number: 1 to 19 decimal digits, leading zeros included`);
    if (c.op === 'add' && !plainText(c.reason)) {
      throw new Error(`reason ${JSON.stringify(c.reason)} must be non-empty text without quotes, backslashes or control characters`);
    }
  }
  return store.transaction(() => {
    const previous = store.latestDenyListVersion();
    const version = String(previous === null ? 1 : Number(previous) + 1);
    const upsert = store.db.prepare('INSERT INTO deny_entries (card, reason, action) VALUES (?, ?, ?) ON CONFLICT (card) DO UPDATE SET reason = excluded.reason, action = excluded.action');
    const remove = store.db.prepare('DELETE FROM deny_entries WHERE card = ?');
    for (const c of changes) {
      if (c.op === 'add') upsert.run(c.card, c.reason, c.action);
      else remove.run(c.card);
    }
    const entries = store.db.prepare<[], { card: string; reason: string; action: string }>('SELECT card, reason, action FROM deny_entries ORDER BY card').all();
    const full = listFile({ version, kind: 'full', baseVersion: null, count: entries.length }, entries.map((e) => addLine(e.card, e.reason, e.action)));
    store.saveDenyList({ version, kind: 'full', baseVersion: null, body: full, signature: signContent(key, full) }, now);
    if (previous !== null) {
      const lines = changes.map((c) => (c.op === 'add' ? addLine(c.card, c.reason, c.action) : JSON.stringify({ op: 'remove', card: c.card })));
      const delta = listFile({ version, kind: 'delta', baseVersion: previous, count: lines.length }, lines);
      store.saveDenyList({ version, kind: 'delta', baseVersion: previous, body: delta, signature: signContent(key, delta) }, now);
    }
    return version;
  });
}

/** Publishes a fare bundle document (JSON bytes, already checked by the caller) under its version. */
export function publishFareBundle(store: ReceiverStore, key: KeyObject, version: string, document: Buffer, now: number): void {
  store.saveFareBundle({ version, body: document, signature: signContent(key, document) }, now);
}

/** Non-empty, no quote, backslash or control character: the form the device reads straight from the bytes. */
function plainText(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c) return false;
  }
  return true;
}

function addLine(card: string, reason: string, action: string): string {
  return JSON.stringify({ op: 'add', card, reason, action });
}

function listFile(header: object, lines: readonly string[]): Buffer {
  return gzipSync(Buffer.from([JSON.stringify(header), ...lines].join('\n') + '\n'));
}
