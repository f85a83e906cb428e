import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay, setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { generatedCard } from '../../bench/deny-list-fixtures.ts';
import { DenyListProblem } from '../../src/deny-list/deny-list-error.ts';
import { runInWorker } from '../../src/deny-list/run-in-worker.ts';
import { depotListFile } from '../../src/deny-list/verified-list.ts';
import { add, expectDenyListError, header, openStore, useTempDir, writeGeneratedDelta, writeGeneratedFull, writeList } from './helpers.ts';

const BASE = 100_000;

describe('lookups while a list is applied in the worker', () => {
  const dir = useTempDir();

  it('see the old list or the new one, never a mix, and keep being answered', async () => {
    await openStore(dir.path).apply(depotListFile(await writeGeneratedFull(dir.path, 'full.gz', 'v1', BASE)));
    const store = openStore(dir.path, { run: runInWorker });
    // The delta removes cards 0, 5, 10, … and adds cards BASE …: the pair below flips together.
    const delta = await writeGeneratedDelta(dir.path, 'delta.gz', 'v2', 'v1', BASE, 20_000, 20_000);
    const removed = generatedCard(0);
    const added = generatedCard(BASE + 19_999);

    const seen = new Set<string>();
    let turns = 0;
    let longestGapMs = 0;
    let done = false;
    const applying = store.apply(depotListFile(delta)).finally(() => {
      done = true;
    });
    let last = performance.now();
    while (!done) {
      seen.add(`${store.version} ${store.lookup(removed) !== undefined} ${store.lookup(added) !== undefined} ${store.size}`);
      turns++;
      await nextTurn();
      const now = performance.now();
      longestGapMs = Math.max(longestGapMs, now - last);
      last = now;
    }
    await applying;
    seen.add(`${store.version} ${store.lookup(removed) !== undefined} ${store.lookup(added) !== undefined} ${store.size}`);

    expect([...seen].sort()).toEqual([`v1 true false ${BASE}`, `v2 false true ${BASE}`]);
    // The event loop kept turning while the worker parsed and built: taps were never held up.
    expect(turns).toBeGreaterThan(20);
    expect(longestGapMs).toBeLessThan(200);
  });

  it('keep the old list whole when the import fails in the worker', async () => {
    await openStore(dir.path).apply(depotListFile(await writeGeneratedFull(dir.path, 'full.gz', 'v1', BASE)));
    const store = openStore(dir.path, { run: runInWorker });
    const bad = await writeList(dir.path, 'bad', [header('v2', 'delta', 'v1', 2), add(generatedCard(BASE)), '{"op":"add","card":"x"}']);

    await expectDenyListError(store.apply(depotListFile(bad)), DenyListProblem.BadList, /line 3: "card" must be a string of 1 to 19 digits/);

    expect(store.version).toBe('v1');
    expect(store.size).toBe(BASE);
    expect(store.lookup(generatedCard(BASE))).toBeUndefined();
    for (let i = 0; i < BASE; i += 101) expect(store.lookup(generatedCard(i))).toBeDefined();
  });

  it('end when the store closes for shutdown: the import is cancelled, the list and its files stay whole', async () => {
    await openStore(dir.path).apply(depotListFile(await writeGeneratedFull(dir.path, 'full.gz', 'v1', BASE)));
    const before = readFileSync(join(dir.path, 'denylist.snapshot'));
    const store = openStore(dir.path, { run: runInWorker });
    const full = await writeGeneratedFull(dir.path, 'full2.gz', 'v2', 2 * BASE);

    const applying = store.apply(depotListFile(full));
    await delay(300);
    await store.close();

    await expectDenyListError(applying, DenyListProblem.Cancelled, /cancelled: the validator is stopping/);
    await expectDenyListError(store.apply(depotListFile(full)), DenyListProblem.Cancelled);
    expect(store.version).toBe('v1');
    expect(store.lookup(generatedCard(0))).toBeDefined();
    expect(readFileSync(join(dir.path, 'denylist.snapshot')).equals(before)).toBe(true);
    expect(openStore(dir.path).version).toBe('v1');
  });
});
