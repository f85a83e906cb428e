// Depot fallback: the unsynced taps as one signed file, imported by the receiver under the exactly-once rules.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { importExportFile } from '../../sync/receiver/import-export.ts';
import { useTempDir } from '../journal/helpers/temp-dir.ts';
import { DEVICE, syncRig, type Rig } from './helpers/sync-rig.ts';

describe('depot export and import', () => {
  const dir = useTempDir();
  let rig: Rig | null = null;
  afterEach(async () => {
    await rig?.close();
    rig = null;
  });

  it('a bus that never got online delivers through a file, exactly once, and a later upload only confirms', { timeout: 30_000 }, async () => {
    rig = await syncRig(dir.path);
    rig.tap(600);
    const exported = await rig.client.exportTo(dir.path);
    if (!exported) throw new Error('nothing exported');
    expect(exported).toMatchObject({ fromSeq: 1, toSeq: 600, count: 600 });
    expect(exported.file).toMatch(/qom-export-QV-0042-1-600\.ndjson$/);
    expect(rig.journal.stats().syncedThrough).toBe(0);

    expect(importExportFile(rig.receiver.store, exported.file)).toEqual({ deviceId: DEVICE, records: 600, added: 600, ackedThrough: 600 });
    expect(importExportFile(rig.receiver.store, exported.file)).toMatchObject({ added: 0, ackedThrough: 600 });
    const held = rig.receiver.store.taps(DEVICE, 1, 3000).map((t) => t.hash);
    expect(held).toEqual(rig.journal.list(0, 3000).map((r) => r.hash));

    rig.tap(10);
    expect(await rig.client.syncNow()).toMatchObject({ ok: true, syncedThrough: 610 });
    expect(rig.receiver.store.taps(DEVICE, 1, 3000)).toHaveLength(610);
    expect(await rig.client.exportTo(dir.path)).toBeNull();
  });

  it('refuses an altered file, and one that starts after what the receiver holds', async () => {
    rig = await syncRig(dir.path);
    rig.tap(20);
    const first = await rig.client.exportTo(dir.path);
    if (!first) throw new Error('nothing exported');
    const text = readFileSync(first.file, 'utf8');
    const altered = join(dir.path, 'altered.ndjson');
    writeFileSync(altered, text.replace('"fare":0', '"fare":1'));
    expect(() => importExportFile(rig!.receiver.store, altered)).toThrow(/signature does not verify/);
    const truncated = join(dir.path, 'truncated.ndjson');
    writeFileSync(truncated, text.slice(0, text.length / 2));
    expect(() => importExportFile(rig!.receiver.store, truncated)).toThrow(/truncated/);

    rig.journal.markSynced(10);
    const later = await rig.client.exportTo(dir.path);
    if (!later) throw new Error('nothing exported');
    expect(later).toMatchObject({ fromSeq: 11, toSeq: 20 });
    expect(() => importExportFile(rig!.receiver.store, later.file)).toThrow(/holds QV-0042 only through 0: import the earlier export first/);
    expect(importExportFile(rig.receiver.store, first.file)).toMatchObject({ added: 20 });
  });
});
