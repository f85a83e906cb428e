import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode, isValidatorError } from '../../src/domain/errors.ts';
import { loadConfigFile, parseConfig } from '../../src/config/load-config.ts';

function problems(input: unknown): string {
  try {
    parseConfig(input, 'test.json');
  } catch (e) {
    expect(isValidatorError(e, ErrorCode.ConfigInvalid)).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected the config to be refused');
}

describe('config', () => {
  it('fills every default from the schema', () => {
    const c = parseConfig({}, 'test.json');
    expect(c.tap.budgetMs).toBe(300);
    expect(c.fares.bundle).toBeNull();
    expect(c.display.lowBalanceRials).toBe(74_000);
    expect(c.network.timeZone).toBe('Asia/Tehran');
    expect(c.readers.map((r) => r.id)).toEqual(['front', 'rear']);
  });

  it('lists every problem at once with key, value and what is allowed', () => {
    const message = problems({
      tap: { budgetMs: 5 },
      fares: { negativeAllowance: 1.5, repeatWindowSeconds: 601 },
      display: { moneyUnit: 'dollar' },
      readers: [{ id: 'front' }, { id: 'front' }],
      colour: 'blue',
    });
    expect(message).toContain('test.json has 6 problems');
    expect(message).toContain('tap.budgetMs = 5: must be at least 50');
    expect(message).toContain('fares.negativeAllowance = 1.5: expected int');
    expect(message).toContain('fares.repeatWindowSeconds = 601: must be at most 600');
    expect(message).toContain('display.moneyUnit = "dollar": allowed: "rial", "toman"');
    expect(message).toContain('reader ids must be unique');
    expect(message).toContain('unknown key "colour"');
  });

  it('refuses an unknown time zone', () => {
    expect(problems({ network: { timeZone: 'Mars/Olympus' } })).toContain('network.timeZone = "Mars/Olympus"');
  });

  it('names the file when it is missing or not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    expect(() => loadConfigFile(join(dir, 'nope.json'))).toThrow(/cannot read config file .*nope\.json \(ENOENT\)/);
    writeFileSync(join(dir, 'bad.json'), '{"tap": ');
    expect(() => loadConfigFile(join(dir, 'bad.json'))).toThrow(/bad\.json is not valid JSON/);
  });
});
