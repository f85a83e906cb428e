import { describe, expect, it } from 'vitest';
import { ambiguityProblem, readerConfigProblem, readersMatching } from '../../../device/pcsc/reader-match.ts';

const front = { id: 'front', pattern: /PICC.*00 00$/i };
const rear = { id: 'rear', pattern: /PICC.*00 01$/i };
const any = { id: 'any', pattern: /ACR1252/g };

describe('reader name matching', () => {
  it('lists the configured readers a PC/SC name matches, in configuration order', () => {
    const name = 'ACS ACR1252 Dual Reader [ACR1252 Dual Reader PICC] 00 00';
    expect(readersMatching(name, [front, rear, any]).map((r) => r.id)).toEqual(['front', 'any']);
    expect(readersMatching(name, [any, front]).map((r) => r.id)).toEqual(['any', 'front']);
    expect(readersMatching('Virtual PCD 00 00', [front, rear])).toEqual([]);
  });

  it('matches the same way every time, even with a /g pattern (RegExp.test would not)', () => {
    const name = 'ACS ACR1252 Dual Reader [ACR1252 Dual Reader SAM] 00 01';
    expect([1, 2, 3].map(() => readersMatching(name, [any]).length)).toEqual([1, 1, 1]);
  });

  it('refuses an empty list and duplicate or empty ids, saying which', () => {
    expect(readerConfigProblem([front, rear])).toBeNull();
    expect(readerConfigProblem([])).toMatch(/no readers configured/);
    expect(readerConfigProblem([front, { ...rear, id: 'front' }])).toBe('reader id "front" is configured twice; each door needs its own id');
    expect(readerConfigProblem([{ ...front, id: '' }])).toMatch(/empty id/);
  });

  it('explains a PC/SC reader that several doors match as a config problem, and who takes it', () => {
    expect(ambiguityProblem('Virtual PCD 00 00', [{ id: 'front', pattern: /00 00/ }, { id: 'rear', pattern: /Virtual/ }])).toBe(
      'PC/SC reader "Virtual PCD 00 00" matches 2 configured readers (front /00 00/, rear /Virtual/); front takes it and rear ' +
        'cannot use it: make the reader name patterns in the config match one reader each',
    );
  });
});
