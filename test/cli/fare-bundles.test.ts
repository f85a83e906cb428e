import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../src/app/status-report.ts';
import { callControl } from '../../src/control/control-client.ts';
import type { TapOutcome } from '../../src/pipeline/tap-outcome.ts';
import { Daemon } from '../support/daemon.ts';

const SAMPLE = fileURLToPath(new URL('../../fares/qom-1404', import.meta.url));

/** A copy of the sample bundle as another version, in force from `effectiveFrom`, charging `adult` rials. */
function bundle(dir: string, version: string, effectiveFrom: string, adult: number): void {
  cpSync(SAMPLE, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, version, effectiveFrom }));
  const products = readFileSync(join(dir, 'fare_products.txt'), 'utf8');
  writeFileSync(join(dir, 'fare_products.txt'), products.replaceAll(',37000,', `,${adult},`));
}

describe('fare bundles in the state directory', { timeout: 60_000 }, () => {
  let root: string;
  let daemon: Daemon;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'fare-bundles-'));
    const state = join(root, 'state');
    mkdirSync(join(state, 'fares'), { recursive: true });
    bundle(join(state, 'fares', 'qom-1404.2'), 'qom-1404.2', '2025-04-21T00:00:00+03:30', 41_000);
    bundle(join(state, 'fares', 'qom-1499.1'), 'qom-1499.1', '2099-03-21T00:00:00+03:30', 99_000);
    daemon = new Daemon(state, { log: { level: 'warn' } });
    await daemon.start();
  });
  afterAll(async () => {
    await daemon.stop('SIGTERM');
    rmSync(root, { recursive: true, force: true });
  });

  it('charges the bundle in force and keeps the next one for its effectiveFrom', async () => {
    const status = (await callControl(daemon.socket, 'status', {})) as StatusReport;
    expect(status.fares.version).toBe('qom-1404.2');
    const { outcomes } = (await callControl(daemon.socket, 'tap', { profile: 'adult' }, { timeoutMs: 20_000 })) as { outcomes: TapOutcome[] };
    expect(outcomes.at(-1)?.records.at(-1)).toMatchObject({ result: 'accepted', fare: 41_000, faresVersion: 'qom-1404.2' });
  });
});
