import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerGpsCommands } from '../../src/cli/gps-command.ts';
import { parseGpsdCheck } from '../support/gpsd-check.ts';
import { SocatPty, socatMissing } from '../support/socat-pty.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/gpsd-nmea');
const SAMPLE_FARES = join(import.meta.dirname, '../../fares/qom-1404');

function program(): { run: (...args: string[]) => Promise<void>; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const p = new Command('validator').option('--state-dir <dir>').exitOverride();
  registerGpsCommands(p, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { run: async (...args) => void (await p.parseAsync(args, { from: 'user' })), out, err };
}

describe('validator gps replay', () => {
  it('prints the fix after each sentence: gpsd\'s times and positions', async () => {
    const cli = program();
    await cli.run('gps', 'replay', join(FIXTURES, 'mt3339.log'), '--json');
    const steps = cli.out.map((l) => JSON.parse(l) as { sentence: string; time: string | null; lat: number | null; lon: number | null });
    const expected = parseGpsdCheck((await import('node:fs')).readFileSync(join(FIXTURES, 'mt3339.log.chk'), 'latin1'));
    expect(steps.map((s) => s.sentence)).toEqual(expected.map((e) => e.sentence));
    for (const [i, e] of expected.entries()) {
      if (e.tpv === null) continue;
      expect(steps[i]?.time).toBe(e.tpv.time);
      expect(Math.abs((steps[i]?.lat ?? NaN) - (e.tpv.lat ?? NaN))).toBeLessThanOrEqual(1e-6);
    }
    expect(cli.err.join('')).toBe('138 sentences accepted, 0 rejected\n');
  });

  it('says which lines it threw away, and why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gps-cli-'));
    try {
      const file = join(dir, 'bad.log');
      writeFileSync(file, '# header\n$GPRMC,030719.000,A,3747.0873,S,17518.8938,E,0.69,181.39,311214,,,A*7E\r\ngarbage\n$GPRMC,030719.000,A,3747.0873,S,17518.8938,E,0.69,181.39,311214,,,A*7D\n');
      const cli = program();
      await cli.run('gps', 'replay', file);
      expect(cli.out.join('')).toMatch(/^ {4}2 rejected: bad-checksum +no time +no fix\n {4}3 rejected: not-nmea .*\n {4}4 RMC +2014-12-31T03:07:19.000Z -37.7847883 175.3148967 0.35 m\/s\n$/);
      expect(cli.err.join('')).toBe('1 sentences accepted, 2 rejected (1 bad-checksum, 1 not-nmea)\n');
      await expect(cli.run('gps', 'replay', join(dir, 'missing.log'))).rejects.toThrow(/cannot read .*missing.log: ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const skip = socatMissing();

describe.skipIf(skip !== null)(`validator gps monitor${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let dir: string;
  let pty: SocatPty;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gps-monitor-'));
    pty = await SocatPty.start(dir);
  });

  afterEach(async () => {
    await pty.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the live fix and the stop of the bundle near it', async () => {
    const cli = program();
    const running = cli.run('--state-dir', dir, 'gps', 'monitor', '--port', pty.port, '--fares', SAMPLE_FARES, '--seconds', '1.5', '--json');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Beside the sample bundle's S-101, Astaneh Square (34.641770, 50.878980).
    await pty.write('$GPRMC,120000.000,A,3438.5070,N,05052.7400,E,0.0,0.0,010625,,,A*62\r\n');
    await running;
    const last = JSON.parse(cli.out.at(-1) ?? '{}') as { status: string; stop: string | null; fix: { lat: number } | null };
    expect(last).toMatchObject({ status: 'fix', stop: 'S-101' });
    expect(last.fix?.lat).toBeCloseTo(34.64178, 5);
  });
});
