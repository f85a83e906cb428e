import { existsSync } from 'node:fs';
import type { DenyListDocument } from '../../deny-list/file-deny-list.ts';
import { writeFileDurablySync } from '../../fs/durable-file.ts';

/** In simulation, a deny list that names the deny-listed profile's card, unless one is already there. */
export function seedDenyList(path: string, cardNumber: string): void {
  if (existsSync(path)) return;
  const doc: DenyListDocument = { version: 'sim-1', entries: [{ cardNumber, reason: 'reported stolen (simulation)' }] };
  writeFileDurablySync(path, JSON.stringify(doc, null, 2) + '\n', { mode: 0o600 });
}
