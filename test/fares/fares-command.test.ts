import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { registerFaresCommands } from '../../src/cli/fares-command.ts';
import { EXIT } from '../../src/cli/main.ts';

const SAMPLE = join(import.meta.dirname, '../../fares/qom-1404');
const scratch = mkdtempSync(join(tmpdir(), 'fares-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Run {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

/** Runs `validator fares ...` on a fresh program, as main.ts builds it, capturing output and exit code. */
async function fares(...args: string[]): Promise<Run> {
  let out = '';
  let err = '';
  let code: number | null = null;
  const program = new Command('validator').exitOverride().configureOutput({ writeOut: (t) => (out += t), writeErr: (t) => (err += t) });
  registerFaresCommands(program, { out: (t) => (out += t), err: (t) => (err += t), exit: (c) => (code = c) });
  try {
    await program.parseAsync(['fares', ...args], { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    code = e.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  return { code, out, err };
}

function file(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

const TAPS = [
  '{"time": "2025-06-03T08:00:00", "route": "12", "stop": "S-1"}',
  '{"time": "2025-06-03T08:00:05", "route": "12", "stop": "S-1", "vehicle": "BUS-1"}',
  '{"time": "2025-06-03T08:00:09", "route": "12", "stop": "S-1", "vehicle": "BUS-1"}',
  '',
  '{"time": "2025-09-01T10:00:00+03:30", "route": "7", "stop": null}',
].join('\n');

describe('validator fares check', () => {
  it('summarizes a valid bundle: products, categories, rules, timeframes', async () => {
    const run = await fares('check', SAMPLE);
    expect(run.code).toBe(EXIT.ok);
    expect(run.out).toContain('fare bundle qom-1404.1 (');
    expect(run.out).toContain('effective from 2025-04-21T00:00:00+03:30, time zone Asia/Tehran, currency IRR, transit card medium qom_card');
    expect(run.out).toContain('rider categories (4): adult, student, senior, veteran');
    expect(run.out).toContain('boarding "Bus boarding": adult/qom_card 37000, student/qom_card 18500, senior/qom_card 18500, veteran/qom_card 0');
    expect(run.out).toContain('leg rules: 2 (rule_priority: the highest matching rule wins, an empty field matches anything)');
    expect(run.out).toContain('transfer rules: 0');
    expect(run.out).toContain('timeframe groups: 1');
    expect(run.err).toBe('');
  });

  it('prints every problem and exits 1', async () => {
    const dir = join(scratch, 'broken');
    cpSync(SAMPLE, dir, { recursive: true });
    writeFileSync(join(dir, 'fare_leg_rules.txt'), 'leg_group_id,to_area_id,fare_product_id\ncity_bus,center,boarding\ncity_bus,,missing\n');
    const run = await fares('check', dir);
    expect(run.code).toBe(EXIT.failed);
    expect(run.out).toBe('');
    expect(run.err).toBe(
      `fare bundle ${dir} is refused: 2 problems\n` +
        '  fare_leg_rules.txt:2: to_area_id center is refused: the validator knows where a rider boards, not where they get off: rules on the arrival side cannot be applied at the boarding door\n' +
        '  fare_leg_rules.txt:3: fare_product_id missing is not in fare_products.txt\n',
    );
  });
});

describe('validator fares quote', () => {
  const taps = file('taps.jsonl', TAPS);

  it('prints each tap as the validator would charge it: amount, reason, transfer, chain', async () => {
    const run = await fares('quote', SAMPLE, '--category', 'adult', '--taps', taps);
    expect(run.code).toBe(EXIT.ok);
    const lines = run.out.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe(
      '2025-06-03 08:00:00+03:30  route 12      stop S-1        accept  OK                        37,000 IRR            chain: 0 transfers since 2025-06-03 08:00:00+03:30',
    );
    // Same bus 4 s later: already paid; the chain on the card is the first tap's.
    expect(lines[1]).toContain('accept  OK');
    expect(lines[2]).toContain('accept  ALREADY_PAID');
    expect(lines[2]).toContain('0 IRR');
    expect(lines[2]).toContain('chain: 0 transfers since 2025-06-03 08:00:05+03:30');
    expect(lines[3]).toMatch(/^2025-09-01 10:00:00\+03:30 {2}route 7 .*stop - .*OK .* 0 IRR/);
    expect(lines[4]).toBe('total 74,000 IRR for 4 taps (category adult, medium qom_card, bundle qom-1404.1)');
  });

  it('prints one JSON object a tap with --json', async () => {
    const run = await fares('quote', SAMPLE, '--category', 'student', '--taps', taps, '--json', '--media', 'qom_card');
    expect(run.code).toBe(EXIT.ok);
    const objects = run.out.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects.map((o) => [o['amount'], o['reason'], o['transfer']])).toEqual([
      [18_500, 'OK', false],
      [18_500, 'OK', false],
      [0, 'ALREADY_PAID', false],
      [0, 'OK', false],
    ]);
    expect(objects[0]).toEqual({
      time: '2025-06-03T08:00:00+03:30',
      route: '12',
      stop: 'S-1',
      vehicle: null,
      result: 'accept',
      reason: 'OK',
      amount: 18_500,
      transfer: false,
      chain: { transfersUsed: 0, chainStart: '2025-06-03T08:00:00+03:30' },
    });
  });

  it('shows an unknown category on every tap, as the validator would refuse it', async () => {
    const run = await fares('quote', SAMPLE, '--category', 'pilot', '--taps', taps, '--json');
    expect(run.out.trimEnd().split('\n').map((l) => (JSON.parse(l) as { reason: string }).reason)).toEqual(Array(4).fill('UNKNOWN_CATEGORY'));
  });

  it('notes rides before the bundle takes effect', async () => {
    const run = await fares('quote', SAMPLE, '--category', 'adult', '--taps', file('early.jsonl', '{"time": 1700000000000, "route": "12"}\n'));
    expect(run.code).toBe(EXIT.ok);
    expect(run.err).toMatch(/^note: 1 of the rides are before the bundle's effectiveFrom \(2025-04-21T00:00:00\+03:30\)/);
  });

  it('refuses a taps file with every bad line, an unknown medium, and a missing option', async () => {
    const bad = await fares('quote', SAMPLE, '--category', 'adult', '--taps', file('bad.jsonl', '{"time": "tomorrow", "route": 12}\nnot json\n{"time": 1, "door": "rear"}\n'));
    expect(bad.code).toBe(EXIT.failed);
    expect(bad.err.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/bad\.jsonl:1: time must be an ISO time/) as unknown as string,
      expect.stringMatching(/bad\.jsonl:1: route must be a non-empty string or null/) as unknown as string,
      expect.stringMatching(/bad\.jsonl:2: not JSON: /) as unknown as string,
      expect.stringMatching(/bad\.jsonl:3: unknown field "door"/) as unknown as string,
    ]);
    const medium = await fares('quote', SAMPLE, '--category', 'adult', '--taps', taps, '--media', 'paper');
    expect(medium).toMatchObject({ code: EXIT.failed, err: 'validator: CONFIG_INVALID: fare medium paper is not in fare bundle qom-1404.1 (it has qom_card)\n' });
    const missing = await fares('quote', SAMPLE, '--taps', taps);
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.err).toContain("required option '--category <id>' not specified");
    const noFile = await fares('quote', SAMPLE, '--category', 'adult', '--taps', join(scratch, 'nowhere.jsonl'));
    expect(noFile.code).toBe(EXIT.failed);
    expect(noFile.err).toMatch(/^validator: cannot read .*nowhere\.jsonl: ENOENT/);
  });
});
