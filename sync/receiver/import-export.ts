/** `validator backend import FILE`: a depot export stored under the same exactly-once rules as an upload. */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { openExport } from '../contract/export-file.ts';
import { publicKeyFromRaw } from '../contract/keys.ts';
import { tapRecordShape } from '../contract/wire.ts';
import { ingestTaps } from './ingest-taps.ts';
import type { ReceiverStore } from './receiver-store.ts';

const BATCH = 1000;

export interface ImportResult {
  readonly deviceId: string;
  readonly records: number;
  readonly added: number;
  readonly ackedThrough: number;
}

/** Checks the device's signature, then stores the records batch by batch; throws saying what was refused. */
export function importExportFile(store: ReceiverStore, path: string): ImportResult {
  const { header, lines } = openExport(readFileSync(path), (id) => {
    const row = store.device(id);
    return row ? publicKeyFromRaw(row.publicKey) : null;
  });
  let added = 0;
  let acked = store.device(header.deviceId)?.ackedThrough ?? 0;
  for (let i = 0; i < lines.length; i += BATCH) {
    const taps = lines.slice(i, i + BATCH).map((line, j) => {
      const parsed = tapRecordShape.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${path} record ${i + j + 1}: ${parsed.error.issues[0]?.message ?? 'bad record'}`);
      return parsed.data;
    });
    const result = ingestTaps(store, header.deviceId, taps, basename(path));
    switch (result.kind) {
      case 'stored':
        added += result.added;
        acked = result.ackedThrough;
        break;
      case 'gap':
        throw new Error(`${path} starts at seq ${taps[0]?.seq ?? '?'} but the receiver holds ${header.deviceId} only through ${result.ackedThrough}: import the earlier export first`);
      case 'conflict':
        throw new Error(`${path}: seq ${result.seq} is already stored with another hash; nothing more imported`);
      case 'broken':
        throw new Error(`${path}: ${result.problem}`);
      case 'unknown-device':
        throw new Error(`${header.deviceId} is not enrolled with this receiver`);
    }
  }
  return { deviceId: header.deviceId, records: lines.length, added, ackedThrough: acked };
}
