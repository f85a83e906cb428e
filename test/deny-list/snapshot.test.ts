import { copyFileSync, existsSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedCard } from '../../bench/deny-list-fixtures.ts';
import { DenyListProblem } from '../../src/deny-list/deny-list-error.ts';
import { depotListFile } from '../../src/deny-list/verified-list.ts';
import { ErrorCode } from '../../src/domain/errors.ts';
import { add, expectDenyListErrorSync, header, openStore, recordingLogger, remove, useTempDir, writeGeneratedFull, writeList } from './helpers.ts';

describe('the deny list at start', () => {
  const dir = useTempDir();
  const snapshot = (): string => join(dir.path, 'denylist.snapshot');
  const overlay = (): string => join(dir.path, 'denylist.overlay');

  async function fullAndDelta(): Promise<void> {
    const store = openStore(dir.path);
    await store.apply(depotListFile(await writeGeneratedFull(dir.path, 'full.gz', 'v1', 100_000)));
    await store.apply(depotListFile(await writeList(dir.path, 'v2', [header('v2', 'delta', 'v1', 2), remove(generatedCard(7)), add('0000123', 'stolen', 'block')])));
  }

  it('reloads exactly what was imported: base, overlay, version and every answer', async () => {
    await fullAndDelta();
    const store = openStore(dir.path);

    expect(store.version).toBe('v2');
    expect(store.size).toBe(100_000);
    expect(store.lookup(generatedCard(7))).toBeUndefined();
    expect(store.lookup('0000123')).toMatchObject({ reason: 'stolen', action: 'block' });
    expect(store.lookup('123')).toBeUndefined();
    for (let i = 8; i < 100_000; i += 499) expect(store.lookup(generatedCard(i))?.cardNumber).toBe(generatedCard(i));
    // 100,000 cards spread over 2·10^10 numbers are sparse: 4 bytes of key and 1 of attributes a card
    // (10 million, denser, take 2 + 1 and a share of the buckets: docs in packed-image.ts).
    expect(statSync(snapshot()).size).toBeLessThan(100_000 * 5 + 4096);
  });

  it('refuses to start from a damaged snapshot, never with an empty list', async () => {
    await fullAndDelta();
    const bytes = readFileSync(snapshot());
    bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 0x10;
    writeFileSync(snapshot(), bytes);

    const error = expectDenyListErrorSync(() => openStore(dir.path), DenyListProblem.SnapshotDamaged, /its SHA-256 does not match.*will not run without its entries.*validator denylist import FILE/);
    expect(error.code).toBe(ErrorCode.ConfigInvalid);
  });

  it('refuses a truncated snapshot, a damaged overlay, and a file that is not a snapshot', async () => {
    await fullAndDelta();
    const good = readFileSync(snapshot());

    truncateSync(snapshot(), good.length - 1000);
    expectDenyListErrorSync(() => openStore(dir.path), DenyListProblem.SnapshotDamaged, /denylist\.snapshot is damaged/);
    writeFileSync(snapshot(), good);

    const layer = readFileSync(overlay());
    writeFileSync(overlay(), layer.subarray(0, layer.length - 1));
    expectDenyListErrorSync(() => openStore(dir.path), DenyListProblem.SnapshotDamaged, /denylist\.overlay is damaged/);
    writeFileSync(overlay(), layer);

    writeFileSync(snapshot(), 'version: v1\n');
    expectDenyListErrorSync(() => openStore(dir.path), DenyListProblem.SnapshotDamaged, /is damaged/);

    copyFileSync(overlay(), snapshot());
    expectDenyListErrorSync(() => openStore(dir.path), DenyListProblem.SnapshotDamaged, /holds the deny list's overlay layer where its base belongs/);
  });

  it('ignores an overlay left from before the last full list (a crash between the two writes)', async () => {
    await fullAndDelta();
    copyFileSync(overlay(), join(dir.path, 'old-overlay'));
    const store = openStore(dir.path);
    await store.apply(depotListFile(await writeList(dir.path, 'v3', [header('v3', 'full', null, 1), add('3')])));
    expect(existsSync(overlay())).toBe(false);
    copyFileSync(join(dir.path, 'old-overlay'), overlay());
    const { log, lines } = recordingLogger();

    const reopened = openStore(dir.path, { log });

    expect(reopened.version).toBe('v3');
    expect(reopened.size).toBe(1);
    expect(reopened.lookup('0000123')).toBeUndefined();
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual([expect.stringMatching(/ignoring .*denylist\.overlay: it belongs to an earlier snapshot/)]);
    // The next delta replaces the stale file.
    await reopened.apply(depotListFile(await writeList(dir.path, 'v4', [header('v4', 'delta', 'v3', 1), add('4')])));
    expect(openStore(dir.path).size).toBe(2);
  });

  it('reads the first slice\'s denylist.json while there is no snapshot, and keeps it through a delta', async () => {
    writeFileSync(join(dir.path, 'denylist.json'), JSON.stringify({ version: 'sim-1', entries: [{ cardNumber: '9826000000001007', reason: 'reported stolen' }] }));
    const store = openStore(dir.path);
    expect(store.version).toBe('sim-1');
    expect(store.lookup('9826000000001007')).toMatchObject({ reason: 'reported stolen', action: 'reject' });

    await store.apply(depotListFile(await writeList(dir.path, 'd', [header('sim-2', 'delta', 'sim-1', 1), add('5')])));

    const reopened = openStore(dir.path);
    expect(reopened.version).toBe('sim-2');
    expect(reopened.lookup('9826000000001007')).toBeDefined();
    expect(reopened.lookup('5')).toBeDefined();
  });

  it('starts with an empty list of version "none" only when there is none at all, and says so', () => {
    const { log, lines } = recordingLogger();
    const store = openStore(dir.path, { log });

    expect(store.version).toBe('none');
    expect(store.size).toBe(0);
    expect(store.lookup('1')).toBeUndefined();
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', msg: expect.stringMatching(/no deny list .*every card passes/) as unknown })]);
  });

  it('removes temp files that a killed import left, and keeps those of a live process', async () => {
    await fullAndDelta();
    const orphan = join(dir.path, 'denylist.snapshot.tmp-4194305');
    const live = join(dir.path, `denylist.overlay.tmp-${process.pid}`);
    const other = join(dir.path, 'notes.tmp-4194305');
    for (const f of [orphan, live, other]) writeFileSync(f, 'partial');

    openStore(dir.path);

    expect([orphan, live, other].map((f) => existsSync(f))).toEqual([false, true, true]);
  });
});
