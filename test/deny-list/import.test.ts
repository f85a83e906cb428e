import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { generatedCard } from '../../bench/deny-list-fixtures.ts';
import { DenyListProblem } from '../../src/deny-list/deny-list-error.ts';
import { runInWorker } from '../../src/deny-list/run-in-worker.ts';
import { depotListFile } from '../../src/deny-list/verified-list.ts';
import {
  add,
  DAY_MS,
  expectDenyListError,
  header,
  ManualClock,
  NOON,
  openStore,
  remove,
  useTempDir,
  writeGeneratedDelta,
  writeGeneratedFull,
  writeList,
} from './helpers.ts';

const TODAY = Math.floor(NOON / DAY_MS) * DAY_MS;

describe('importing a deny list', () => {
  const dir = useTempDir();

  it('applies a 100,000-card full list (gzip) in a worker and finds every card, and only those', async () => {
    const store = openStore(dir.path, { run: runInWorker });
    expect(store.version).toBe('none');
    const file = await writeGeneratedFull(dir.path, 'full.ndjson.gz', 'v1', 100_000);

    const summary = await store.apply(depotListFile(file));

    expect(summary).toMatchObject({ applied: true, kind: 'full', version: 'v1', previousVersion: 'none', entries: 100_000, added: 100_000, removed: 0 });
    expect(summary.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(store.version).toBe('v1');
    expect(store.size).toBe(100_000);
    for (let i = 0; i < 100_000; i += 997) expect(store.lookup(generatedCard(i))?.cardNumber).toBe(generatedCard(i));
    expect(store.lookup(generatedCard(0))).toEqual({ cardNumber: generatedCard(0), reason: 'lost', action: 'reject', added: TODAY });
    expect(store.lookup(generatedCard(1))).toMatchObject({ reason: 'lost', action: 'reject' });
    expect(store.lookup(generatedCard(2))).toMatchObject({ reason: 'fraud', action: 'block' });
    for (let i = 100_000; i < 101_000; i++) expect(store.lookup(generatedCard(i))).toBeUndefined();
  });

  it('reads plain NDJSON as well as gzip, whatever the file is called', async () => {
    const lines = [header('p1', 'full', null, 2), add('111', 'lost'), add('222', 'stolen', 'block')];
    const plain = await writeList(dir.path, 'list.gz', []);
    writeFileSync(plain, lines.join('\n'));
    const gzip = join(dir.path, 'list.ndjson');
    writeFileSync(gzip, gzipSync(lines.join('\n') + '\n'));

    for (const file of [plain, gzip]) {
      const store = openStore(join(dir.path));
      await store.apply(depotListFile(file));
      expect(store.lookup('222')).toMatchObject({ reason: 'stolen', action: 'block' });
      expect(store.size).toBe(2);
    }
  });

  it('applies a delta on its base: adds, removes, and a changed reason that keeps its day added', async () => {
    const clock = new ManualClock();
    const store = openStore(dir.path, { clock });
    await store.apply(depotListFile(await writeList(dir.path, 'v1', [header('v1', 'full', null, 3), add('1001'), add('1002'), add('1003')])));
    clock.wall += 3 * DAY_MS;
    const delta = await writeList(dir.path, 'v2', [header('v2', 'delta', 'v1', 3), add('1002', 'fraud', 'block'), remove('1003'), add('1004', 'debt')]);

    const summary = await store.apply(depotListFile(delta));

    expect(summary).toMatchObject({ applied: true, kind: 'delta', version: 'v2', previousVersion: 'v1', entries: 3, added: 1, removed: 1 });
    expect(store.lookup('1001')).toEqual({ cardNumber: '1001', reason: 'lost', action: 'reject', added: TODAY });
    expect(store.lookup('1002')).toEqual({ cardNumber: '1002', reason: 'fraud', action: 'block', added: TODAY });
    expect(store.lookup('1003')).toBeUndefined();
    expect(store.lookup('1004')).toEqual({ cardNumber: '1004', reason: 'debt', action: 'reject', added: TODAY + 3 * DAY_MS });
    expect(store.version).toBe('v2');
    expect(store.size).toBe(3);
  });

  it('applies a generated 100,000-entry delta to a 100,000-card list in a worker', async () => {
    await openStore(dir.path).apply(depotListFile(await writeGeneratedFull(dir.path, 'full.gz', 'v1', 100_000)));
    const store = openStore(dir.path, { run: runInWorker });
    const delta = await writeGeneratedDelta(dir.path, 'delta.gz', 'v2', 'v1', 100_000, 80_000, 20_000);

    expect(await store.apply(depotListFile(delta))).toMatchObject({ entries: 160_000, added: 80_000, removed: 20_000 });

    expect(store.lookup(generatedCard(0))).toBeUndefined();
    expect(store.lookup(generatedCard(1))).toBeDefined();
    expect(store.lookup(generatedCard(100_000))).toBeDefined();
    expect(store.lookup(generatedCard(179_999))).toBeDefined();
  });

  it('refuses a delta on another base with NeedsFullList, and keeps the list in force', async () => {
    const store = openStore(dir.path);
    await store.apply(depotListFile(await writeList(dir.path, 'v1', [header('v1', 'full', null, 1), add('1001')])));
    const delta = await writeList(dir.path, 'v3', [header('v3', 'delta', 'v2', 1), add('1002')]);

    await expectDenyListError(store.apply(depotListFile(delta)), DenyListProblem.NeedsFullList, /delta from version v2 to v3, but the list in force is version v1: needs full list/);
    expect(store.version).toBe('v1');
    expect(store.lookup('1002')).toBeUndefined();
  });

  it('refuses a delta that removes a card the list does not hold: the lists differ, fetch the full one', async () => {
    const store = openStore(dir.path);
    await store.apply(depotListFile(await writeList(dir.path, 'v1', [header('v1', 'full', null, 1), add('1001')])));
    const delta = await writeList(dir.path, 'v2', [header('v2', 'delta', 'v1', 2), add('1002'), remove('0777')]);

    await expectDenyListError(store.apply(depotListFile(delta)), DenyListProblem.NeedsFullList, /removes card 0777, which version v1 does not list/);
    expect(store.version).toBe('v1');
    expect(store.lookup('1002')).toBeUndefined();
  });

  it('takes a delta to the version already in force as done (a retried download)', async () => {
    const store = openStore(dir.path);
    await store.apply(depotListFile(await writeList(dir.path, 'v1', [header('v1', 'full', null, 1), add('1001')])));
    const delta = await writeList(dir.path, 'v2', [header('v2', 'delta', 'v1', 1), add('1002')]);
    await store.apply(depotListFile(delta));

    expect(await store.apply(depotListFile(delta))).toMatchObject({ applied: false, version: 'v2', entries: 2 });
    expect(store.size).toBe(2);
  });

  it('needs a full list first: a delta on no list is NeedsFullList', async () => {
    const store = openStore(dir.path);
    const delta = await writeList(dir.path, 'v2', [header('v2', 'delta', 'v1', 1), add('1002')]);
    await expectDenyListError(store.apply(depotListFile(delta)), DenyListProblem.NeedsFullList, /list in force is version none/);
  });

  it('keeps leading zeros: 0042, 042 and 42 are three cards', async () => {
    const store = openStore(dir.path);
    await store.apply(depotListFile(await writeList(dir.path, 'z', [header('z1', 'full', null, 2), add('0042', 'lost'), add('42', 'stolen', 'block')])));

    expect(store.lookup('0042')).toMatchObject({ cardNumber: '0042', reason: 'lost' });
    expect(store.lookup('42')).toMatchObject({ cardNumber: '42', reason: 'stolen' });
    expect(store.lookup('042')).toBeUndefined();
    expect(store.lookup('00042')).toBeUndefined();
  });

  it('replaces the list with a full one: cards gone from it are gone, cards still on it keep their day added', async () => {
    const clock = new ManualClock();
    const store = openStore(dir.path, { clock });
    await store.apply(depotListFile(await writeList(dir.path, 'v1', [header('v1', 'full', null, 2), add('1'), add('2')])));
    await store.apply(depotListFile(await writeList(dir.path, 'v2', [header('v2', 'delta', 'v1', 1), add('3')])));
    clock.wall += 10 * DAY_MS;

    const summary = await store.apply(depotListFile(await writeList(dir.path, 'v9', [header('v9', 'full', null, 2), add('3', 'debt'), add('4')])));

    expect(summary).toMatchObject({ kind: 'full', previousVersion: 'v2', entries: 2, added: 1, removed: 2 });
    expect(store.lookup('1')).toBeUndefined();
    expect(store.lookup('2')).toBeUndefined();
    expect(store.lookup('3')).toEqual({ cardNumber: '3', reason: 'debt', action: 'reject', added: TODAY });
    expect(store.lookup('4')?.added).toBe(TODAY + 10 * DAY_MS);
    expect(existsSync(join(dir.path, 'denylist.overlay'))).toBe(false);
  });

  it('folds the overlay into a new base once it grows, with the same answers', async () => {
    const store = openStore(dir.path, { compactAt: () => 2 });
    await store.apply(depotListFile(await writeList(dir.path, 'v1', [header('v1', 'full', null, 3), add('1'), add('2'), add('3')])));
    await store.apply(depotListFile(await writeList(dir.path, 'v2', [header('v2', 'delta', 'v1', 2), remove('1'), add('4', 'stolen', 'block')])));
    expect(existsSync(join(dir.path, 'denylist.overlay'))).toBe(true);

    await store.apply(depotListFile(await writeList(dir.path, 'v3', [header('v3', 'delta', 'v2', 1), add('5')])));
    await store.idle();

    expect(existsSync(join(dir.path, 'denylist.overlay'))).toBe(false);
    expect(store.version).toBe('v3');
    expect(['1', '2', '3', '4', '5'].map((c) => store.lookup(c)?.reason ?? null)).toEqual([null, 'lost', 'lost', 'stolen', 'lost']);
    const reopened = openStore(dir.path);
    expect(reopened.version).toBe('v3');
    expect(reopened.size).toBe(4);
    expect(reopened.lookup('4')).toMatchObject({ action: 'block' });
  });
});

describe('a bad list file', () => {
  const dir = useTempDir();

  /** A store with a list in force, to show that a failed import leaves it whole. */
  async function storeWithList(): Promise<ReturnType<typeof openStore>> {
    const store = openStore(dir.path);
    await store.apply(depotListFile(await writeList(dir.path, 'v1', [header('v1', 'full', null, 2), add('1001'), add('1002', 'stolen', 'block')])));
    return store;
  }

  function expectUnchanged(store: ReturnType<typeof openStore>, snapshotBefore: Buffer): void {
    expect(store.version).toBe('v1');
    expect(store.size).toBe(2);
    expect(store.lookup('1001')).toMatchObject({ reason: 'lost' });
    expect(store.lookup('1002')).toMatchObject({ reason: 'stolen', action: 'block' });
    expect(readFileSync(join(dir.path, 'denylist.snapshot')).equals(snapshotBefore)).toBe(true);
    expect(openStore(dir.path).version).toBe('v1');
  }

  const cases: [name: string, lines: string[], message: RegExp][] = [
    ['fewer entries than its count', [header('v2', 'full', null, 3), add('1'), add('2')], /"count" is 3 but the file has 2 entries: a truncated or damaged file\? fetch it again/],
    ['more entries than its count', [header('v2', 'full', null, 1), add('1'), add('2')], /line 3: more entries than the header's "count" of 1/],
    ['a malformed line', [header('v2', 'full', null, 3), add('1'), '{"op":"add","card":"2","reason":"lost"', add('3')], /line 3: not JSON .*An entry is \{"op":"add"\|"remove"/],
    ['a card that is not digits', [header('v2', 'full', null, 2), add('1'), add('12-34')], /line 3: "card" must be a string of 1 to 19 digits/],
    ['an empty line', [header('v2', 'full', null, 2), add('1'), '', add('2')], /line 3: empty line/],
    ['the same card twice', [header('v2', 'full', null, 3), add('1'), add('2'), add('1', 'debt')], /names card 1 more than once/],
    ['a remove in a full list', [header('v2', 'full', null, 2), add('1'), remove('1002')], /line 3: a full list only adds cards; "remove" belongs in a delta/],
    ['no header', [add('1')], /line 1 \(the header\): unknown field "op", "card", "reason", "action"/],
    ['a header without a kind', ['{"version":"v2","baseVersion":null,"count":0}'], /"kind" must be "full" or "delta", not undefined/],
    ['a delta without a base', [header('v2', 'delta', null, 0)], /a delta needs "baseVersion"/],
    ['a negative count', [header('v2', 'full', null, -1)], /"count" must be a whole number ≥ 0, not -1/],
    ['an empty file', [], /is empty: a list starts with its header line/],
  ];
  for (const [name, lines, message] of cases) {
    it(`is refused with the line and the fix, and loses nothing: ${name}`, async () => {
      const store = await storeWithList();
      const before = readFileSync(join(dir.path, 'denylist.snapshot'));
      const file = await writeList(dir.path, 'bad.ndjson', lines);
      if (lines.length === 0) writeFileSync(file, '');

      await expectDenyListError(store.apply(depotListFile(file)), DenyListProblem.BadList, message);

      expectUnchanged(store, before);
    });
  }

  it('refuses a file that is not a list at all, on its first line', async () => {
    const store = await storeWithList();
    const before = readFileSync(join(dir.path, 'denylist.snapshot'));
    const file = join(dir.path, 'photo.jpg');
    writeFileSync(file, Buffer.alloc(10_000, 0xff));

    await expectDenyListError(store.apply(depotListFile(file)), DenyListProblem.BadList, /photo\.jpg line 1: longer than 4096 bytes: this is not a deny-list file/);
    expectUnchanged(store, before);
  });

  it('refuses a truncated gzip file', async () => {
    const store = await storeWithList();
    const before = readFileSync(join(dir.path, 'denylist.snapshot'));
    const whole = readFileSync(await writeGeneratedFull(dir.path, 'full.gz', 'v2', 20_000));
    const file = join(dir.path, 'cut.gz');
    writeFileSync(file, whole.subarray(0, whole.length >> 1));

    await expectDenyListError(store.apply(depotListFile(file)), DenyListProblem.BadList, /is not a complete gzip stream after line \d+ .*fetch it again/);
    expectUnchanged(store, before);
  });

  it('says when the file cannot be read', async () => {
    const store = await storeWithList();
    await expectDenyListError(store.apply(depotListFile(join(dir.path, 'missing.ndjson'))), DenyListProblem.Unreadable, /cannot read the list .*missing\.ndjson/);
    expect(store.version).toBe('v1');
  });

  it('refuses a write when another process changed the files since this one loaded them', async () => {
    const first = await storeWithList();
    const second = openStore(dir.path);
    await second.apply(depotListFile(await writeList(dir.path, 'v2', [header('v2', 'delta', 'v1', 1), add('2001')])));
    await second.apply(depotListFile(await writeList(dir.path, 'v7', [header('v7', 'full', null, 1), add('7')])));

    const late = await writeList(dir.path, 'v8', [header('v8', 'full', null, 1), add('8')]);
    await expectDenyListError(first.apply(depotListFile(late)), DenyListProblem.ChangedOnDisk, /changed since this process loaded the deny list/);
    expect(first.version).toBe('v1');
    expect(openStore(dir.path).version).toBe('v7');
  });
});
