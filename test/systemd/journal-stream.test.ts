import { closeSync, fstatSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isJournalStream } from '../../src/app/logging.ts';

describe('isJournalStream (JOURNAL_STREAM, systemd.exec(5))', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qom-journal-stream-'));
  const fd = openSync(join(dir, 'stream'), 'w');
  const other = openSync(join(dir, 'other'), 'w');
  const stat = fstatSync(fd, { bigint: true });
  afterAll(() => {
    closeSync(fd);
    closeSync(other);
    rmSync(dir, { recursive: true, force: true });
  });

  it('is true when JOURNAL_STREAM names the descriptor\'s device and inode', () => {
    expect(isJournalStream(fd, { JOURNAL_STREAM: `${stat.dev}:${stat.ino}` })).toBe(true);
  });

  it('is false for another file (stderr redirected by the command that inherited it), unset, or malformed', () => {
    expect(isJournalStream(other, { JOURNAL_STREAM: `${stat.dev}:${stat.ino}` })).toBe(false);
    expect(isJournalStream(fd, {})).toBe(false);
    expect(isJournalStream(fd, { JOURNAL_STREAM: `${stat.dev}` })).toBe(false);
    expect(isJournalStream(fd, { JOURNAL_STREAM: `${stat.dev}:${stat.ino}:1` })).toBe(false);
    expect(isJournalStream(9999, { JOURNAL_STREAM: `${stat.dev}:${stat.ino}` })).toBe(false);
  });
});
