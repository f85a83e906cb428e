import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeWhen, missingCommand, ROOT } from './helpers.ts';

const RULES = join(ROOT, 'systemd/99-qom-validator.rules');
const text = readFileSync(RULES, 'utf8');
const rules = text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));

/** One rule line as udev reads it: KEY{attr} op "value", comma-separated (udev(7)). */
function parseRule(line: string): { key: string; op: string; value: string }[] {
  const pairs: { key: string; op: string; value: string }[] = [];
  const pair = /\s*([A-Z_]+(?:\{[^}]+\})?)\s*(==|!=|\+=|-=|:=|=)\s*"([^"]*)"\s*(,|$)/y;
  for (let at = 0; at < line.length; ) {
    pair.lastIndex = at;
    const m = pair.exec(line);
    if (!m) throw new Error(`cannot read the rule at column ${at + 1}: ${line}`);
    pairs.push({ key: m[1]!, op: m[2]!, value: m[3]! });
    at = pair.lastIndex;
  }
  return pairs;
}

describe('systemd/99-qom-validator.rules', () => {
  it('is made of well-formed rules, each pair KEY op "value"', () => {
    for (const line of rules) expect(() => parseRule(line)).not.toThrow();
  });

  it('names the serial devices the config uses, for group validator only, and the readers for the technician', () => {
    const symlinks = rules.flatMap(parseRule).filter((p) => p.key === 'SYMLINK').map((p) => p.value);
    expect(symlinks).toEqual(['qom-gps', 'qom-feedback-front', 'qom-feedback-rear', 'qom-reader-front', 'qom-reader-rear']);
    for (const line of rules.filter((l) => l.includes('SUBSYSTEM=="tty"'))) {
      const pairs = parseRule(line);
      expect(pairs).toContainEqual({ key: 'GROUP', op: '=', value: 'validator' });
      expect(pairs).toContainEqual({ key: 'MODE', op: '=', value: '0660' });
      // Matched by vendor, product and serial: the name follows the device, not the socket.
      expect(pairs.map((p) => p.key)).toEqual(expect.arrayContaining(['ATTRS{idVendor}', 'ATTRS{idProduct}', 'ATTRS{serial}']));
    }
  });
});

/**
 * systemd 252 has no `udevadm verify` (254 has). `udevadm test` loads every rules file and complains about
 * each line it cannot take, naming file and line; run in a private mount namespace with a tmpfs over
 * /etc/udev/rules.d holding only ours, it reads our file without touching the machine's.
 */
function whyNotUdevadmTest(): string | null {
  if (process.getuid?.() !== 0) return 'udevadm test in a private mount namespace needs root';
  return missingCommand('udevadm') ?? missingCommand('unshare');
}

describeWhen(whyNotUdevadmTest())('udevadm test with the rules', () => {
  it('loads them without a complaint about any line', () => {
    const script = `mount -t tmpfs tmpfs /etc/udev/rules.d && cp "${RULES}" /etc/udev/rules.d/ && udevadm test --action=add /class/tty/console`;
    const run = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], { encoding: 'utf8' });
    const output = `${run.stdout}${run.stderr}`;
    expect(output).toContain('Reading rules file: /etc/udev/rules.d/99-qom-validator.rules');
    const groupExists = spawnSync('getent', ['group', 'validator']).status === 0;
    const complaints = output
      .split('\n')
      .filter((l) => l.includes('99-qom-validator.rules:'))
      // Before systemd/install.sh has made the group (here, on a test machine), udev says so: that is all.
      .filter((l) => groupExists || !/Unknown group 'validator'/.test(l));
    expect(complaints).toEqual([]);
  });
});
