/** `validator export --to DIR`: the unsynced taps as one signed file for the depot (sync/contract/export-file.ts). */
import { createHash, type KeyObject } from 'node:crypto';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { EXPORT_FORMAT, signExport, type ExportHeader } from '../contract/export-file.ts';
import type { SyncJournal } from './ports.ts';

const CHUNK = 200;

export interface ExportResult {
  readonly file: string;
  readonly fromSeq: number;
  readonly toSeq: number;
  readonly count: number;
}

/** Writes every record after syncedThrough; `progress(done, total)` after each chunk. Marks nothing synced. Null: nothing to export. */
export async function exportUnsynced(
  journal: SyncJournal,
  deviceId: string,
  privateKey: KeyObject,
  dir: string,
  now: number,
  progress: (done: number, total: number) => void = () => undefined,
): Promise<ExportResult | null> {
  const { syncedThrough, lastSeq } = journal.syncPosition();
  const count = lastSeq - syncedThrough;
  if (count <= 0) return null;
  const header: ExportHeader = { format: EXPORT_FORMAT, deviceId, fromSeq: syncedThrough + 1, toSeq: lastSeq, count, createdAt: new Date(now).toISOString() };
  const name = `qom-export-${deviceId}-${header.fromSeq}-${header.toSeq}.ndjson`;
  const path = join(dir, name);
  const temp = `${path}.partial`;
  const file = await open(temp, 'w', 0o600);
  const digest = createHash('sha256');
  try {
    const write = async (text: string): Promise<void> => {
      const bytes = Buffer.from(text);
      digest.update(bytes);
      await file.write(bytes);
    };
    await write(JSON.stringify(header) + '\n');
    let cursor = syncedThrough;
    let done = 0;
    while (cursor < lastSeq) {
      const records = journal.list(cursor, Math.min(CHUNK, lastSeq - cursor));
      const last = records.at(-1);
      if (!last) throw new Error(`the journal ended at seq ${cursor}, before ${lastSeq}`);
      await write(records.map((r) => JSON.stringify(r)).join('\n') + '\n');
      done += records.length;
      cursor = last.seq;
      progress(done, count);
    }
    await file.write(JSON.stringify({ signature: signExport(privateKey, digest.digest('hex')) }) + '\n');
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, path);
  return { file: path, fromSeq: header.fromSeq, toSeq: header.toSeq, count };
}
