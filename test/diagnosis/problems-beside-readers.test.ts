import { describe, expect, it } from 'vitest';
import { absentReaderProblem, problemsBesideReaders } from '../../src/app/status-report.ts';

const readers = [
  { id: 'front', state: { kind: 'absent' as const, reason: 'unplugged' } },
  { id: 'rear', state: { kind: 'ready' as const, name: 'ACS ACR122U' } },
];
const disk = 'only 12 bytes are free in /var/lib/validator';

describe('problemsBesideReaders', () => {
  it('takes the daemon\'s own list of problems other than absent readers', () => {
    const report = { problems: [disk, absentReaderProblem('front', 'unplugged')], problemsBesideReaders: [disk], readers };
    expect(problemsBesideReaders(report)).toEqual([disk]);
  });

  it('for an older daemon, which does not say them apart, takes its absent readers\' words out of problems', () => {
    const report = { problems: [disk, absentReaderProblem('front', 'unplugged')], readers };
    expect(problemsBesideReaders(report)).toEqual([disk]);
  });
});
