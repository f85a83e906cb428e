import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { vpcdHost } from '../support/pcscd.ts';
import { describeStack } from './helpers.ts';

describeStack('PcscReaders.close', () => {
  it('leaves nothing that keeps the process alive, even with a card on the reader', async () => {
    const script = fileURLToPath(new URL('./fixtures/open-and-close.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, vpcdHost()], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let closedAt = 0;
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (!closedAt && out.includes('closed')) closedAt = performance.now();
    });
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    // Hung past this, the process would never have ended by itself.
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(kill);
    expect(out).toBe('presented D2E3F405\nclosed\n');
    expect(code).toBe(0);
    expect(performance.now() - closedAt).toBeLessThan(1_000);
  });
});
