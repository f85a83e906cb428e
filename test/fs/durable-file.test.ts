// The durable write helper on real files: content, mode whatever the umask, owner, no temp file left, old content kept on failure.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileDurably, writeFileDurablySync } from '../../src/fs/durable-file.ts';
import { useTempDir } from '../journal/helpers/temp-dir.ts';

describe('writeFileDurably', () => {
  const dir = useTempDir();

  it('replaces a file whole, with the mode asked for even under a strict umask, and leaves no temp file', async () => {
    const path = join(dir.path, 'config.json');
    writeFileSync(path, 'old');
    const umask = process.umask(0o077);
    try {
      await writeFileDurably(path, 'new', { mode: 0o640 });
    } finally {
      process.umask(umask);
    }
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir.path)).toEqual(['config.json']);
  });

  it('the synchronous form writes bytes and sets the mode', () => {
    const path = join(dir.path, 'key.pem');
    writeFileDurablySync(path, Buffer.from([1, 2, 3]), { mode: 0o600 });
    expect([...readFileSync(path)]).toEqual([1, 2, 3]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('a write that cannot take the name leaves what was there and no temp file', async () => {
    const path = join(dir.path, 'taken');
    mkdirSync(path);
    writeFileSync(join(path, 'inside'), 'x');
    await expect(writeFileDurably(path, 'new', { mode: 0o600 })).rejects.toThrow(/EISDIR|EEXIST|ENOTEMPTY|directory/);
    expect(() => writeFileDurablySync(path, 'new', { mode: 0o600 })).toThrow();
    expect(readdirSync(dir.path)).toEqual(['taken']);
    expect(readFileSync(join(path, 'inside'), 'utf8')).toBe('x');
  });

  it.runIf(process.getuid?.() === 0)('gives the file its owner before it takes the name (as root)', async () => {
    const path = join(dir.path, 'owned');
    await writeFileDurably(path, 'a', { mode: 0o600, owner: { uid: 4242, gid: 4343 } });
    writeFileDurablySync(`${path}-sync`, 'b', { mode: 0o600, owner: { uid: 4242, gid: 4343 } });
    for (const p of [path, `${path}-sync`]) expect([statSync(p).uid, statSync(p).gid]).toEqual([4242, 4343]);
  });
});
