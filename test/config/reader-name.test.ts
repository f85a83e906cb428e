import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import { readerNamePattern } from '../../src/config/reader-name.ts';

const ACR1252 = 'ACS ACR1252 Dual Reader [ACR1252 Dual Reader PICC] 00 00';

describe('reader name patterns', () => {
  it('treats a plain name as a case-insensitive substring, metacharacters and all', () => {
    expect(readerNamePattern('acr1252').test(ACR1252)).toBe(true);
    expect(readerNamePattern('[ACR1252 Dual Reader PICC]').test(ACR1252)).toBe(true);
    expect(readerNamePattern('Virtual PCD 00 01').test('Virtual PCD 00 00')).toBe(false);
    expect(readerNamePattern('V.rtual').test('Virtual PCD 00 00')).toBe(false);
  });

  it('treats /…/ as a case-insensitive regular expression', () => {
    expect(readerNamePattern('/picc.*00 00$/').test(ACR1252)).toBe(true);
    expect(readerNamePattern('/^Virtual PCD 00 0[01]$/').test('Virtual PCD 00 01')).toBe(true);
    expect(readerNamePattern('/SAM/').test(ACR1252)).toBe(false);
  });

  it('refuses a broken expression at load, naming the reader and how to fix it', () => {
    expect(() => parseConfig({ readers: [{ id: 'front', name: '/ACR(/' }] }, 'test.json')).toThrow(
      /readers\.0\.name = "\/ACR\(\/": not a valid \/regular expression\/.*write a plain substring/,
    );
  });

  it('takes the key file path from keys.file, null by default', () => {
    expect(parseConfig({}, 'test.json').keys.file).toBeNull();
    expect(parseConfig({ keys: { file: '/etc/validator/keys.json' } }, 'test.json').keys.file).toBe('/etc/validator/keys.json');
  });
});
