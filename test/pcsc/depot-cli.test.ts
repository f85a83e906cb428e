import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { VirtualClassicCard } from '../../device/mifare/virtual-classic-card.ts';
import type { VpcdCard } from '../../device/sim/vpcd-card.ts';
import type { TapRecord } from '../../src/journal/types.ts';
import { TEST_KEY_FILE } from '../device/helpers.ts';
import { vpcdReaderName } from '../support/pcscd.ts';
import { describeStack, vpcdCard } from './helpers.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const READER = vpcdReaderName(0);

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `validator <args>` in a child process, as a technician runs it. `onStderr` sees each chunk of what it
 * says, so that a test can act on a prompt ("present the same card again").
 */
function validator(args: readonly string[], onStderr?: (text: string) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/validator.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      onStderr?.(stderr);
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** What a technician does when told to present the card again: lift it and put it back, once. */
function reinsertOnPrompt(card: VpcdCard): (said: string) => void {
  let done = false;
  return (said) => {
    if (done || !said.includes('present the same card again')) return;
    done = true;
    void card.remove().then(() => card.insert(0));
  };
}

describeStack('depot card commands on the real PC/SC stack', () => {
  let dir: string;
  let keys: string;
  let card: VirtualClassicCard;
  let vpcd: VpcdCard;
  const cli = (args: readonly string[], onStderr?: (text: string) => void): Promise<Run> =>
    validator(['--state-dir', join(dir, 'state'), 'card', ...args, '--reader', READER, '--keys', keys, '--wait', '10'], onStderr);
  const journal = async (): Promise<TapRecord[]> => {
    const run = await validator(['--state-dir', join(dir, 'state'), 'taps', '--json']);
    expect(run.code, run.stderr).toBe(0);
    return run.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as TapRecord);
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'qom-depot-'));
    keys = join(dir, 'keys.json');
    copyFileSync(TEST_KEY_FILE, keys);
    chmodSync(keys, 0o600);
    card = VirtualClassicCard.blank(Buffer.from('0A0B0C0D', 'hex'));
    vpcd = vpcdCard(card);
  });
  afterEach(async () => {
    await vpcd.remove();
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('issues a blank card, reads it, tops it up and blocks it, each write journaled', async () => {
    await vpcd.insert(0);
    const issued = await cli(['issue', '--number', '9826000000000042', '--category', 'student', '--balance', '200000', '--expires', '2030-03-20', '--json']);
    expect(issued.code, issued.stderr).toBe(0);
    expect(JSON.parse(issued.stdout)).toMatchObject({ card: { number: '9826000000000042', category: 'student', balance: 200_000, counter: 0, status: 'active' } });

    const read = await cli(['read', '--json']);
    expect(read.code, read.stderr).toBe(0);
    const inspection = JSON.parse(read.stdout) as { slots: { A: { mac: string }; B: { mac: string } }; verdict: { ok: boolean } };
    expect(inspection.slots.A.mac).toBe('valid');
    expect(inspection.slots.B.mac).toBe('blank');
    expect(inspection.verdict.ok).toBe(true);

    const topped = await cli(['topup', '--amount', '50000']);
    expect(topped.code, topped.stderr).toBe(0);
    expect(topped.stdout).toContain('balance 250000 rials, counter 1');

    const blocked = await cli(['block']);
    expect(blocked.code, blocked.stderr).toBe(0);
    expect(blocked.stdout).toContain('blocked, balance 250000 rials, counter 2');

    const refused = await cli(['topup', '--amount', '1000']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is blocked');

    const human = await cli(['read']);
    expect(human.stdout).toContain('slot A (current): MAC valid, counter 2, balance 250000 rials, blocked');

    const records = await journal();
    expect(records.map((r) => [r.result, r.reason, r.balanceBefore, r.balanceAfter, r.cardCounter, r.reader])).toEqual([
      ['accepted', 'CARD_ISSUED', null, 200_000, 0, 'depot'],
      ['accepted', 'TOP_UP', 200_000, 250_000, 1, 'depot'],
      ['rejected', 'BLOCK_WRITTEN', 250_000, 250_000, 2, 'depot'],
    ]);
  });

  it('refuses to issue a card that is not blank, and leaves it as it was', async () => {
    await vpcd.insert(0);
    const before = card.toState();
    const run = await cli(['issue', '--number', '9826000000000043', '--category', 'adult', '--balance', '1', '--expires', '2030-03-20']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/already issued/);
    expect(card.toState()).toEqual(before);
  });

  it('settles a top-up cut short once the card is presented again', async () => {
    const fresh = VirtualClassicCard.blank(Buffer.from('0A0B0C0E', 'hex'));
    const other = vpcdCard(fresh);
    try {
      await other.insert(0);
      expect((await cli(['issue', '--number', '9826000000000044', '--category', 'adult', '--balance', '100000', '--expires', '2030-03-20'])).code).toBe(0);
      await other.remove();

      // The head write (the purse write's last update) lands, but the card leaves before it answers.
      await other.insert(0, { vanish: { duringUpdate: 3, tornWrite: 'written' } });
      const run = await cli(['topup', '--amount', '30000'], reinsertOnPrompt(other));
      expect(run.stderr, `exit ${run.code}: ${run.stderr}`).toContain('may not have reached');
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('balance 130000 rials, counter 1');

      // The same again, but the write never lands: journaled as not applied, the balance untouched.
      await other.remove();
      await other.insert(0, { vanish: { duringUpdate: 1, tornWrite: 'unchanged' } });
      const lost = await cli(['topup', '--amount', '30000'], reinsertOnPrompt(other));
      expect(lost.code).toBe(1);
      expect(lost.stderr).toContain('did not reach card 9826000000000044');

      const records = (await journal()).filter((r) => r.cardNumber === '9826000000000044');
      expect(records.map((r) => [r.result, r.reason, r.balanceAfter])).toEqual([
        ['accepted', 'CARD_ISSUED', 100_000],
        ['accepted', 'TOP_UP', 130_000],
        ['rejected', 'DEBIT_NOT_APPLIED', 130_000],
      ]);
    } finally {
      await other.remove();
    }
  });

  it('journals a personalization whose last write landed as the card left, and none for one that did not', async () => {
    const landed = vpcdCard(VirtualClassicCard.blank(Buffer.from('0A0B0C10', 'hex')));
    const lost = vpcdCard(VirtualClassicCard.blank(Buffer.from('0A0B0C11', 'hex')));
    try {
      // Personalization writes sectors 3, 2, then 1, trailer last: its 12th write makes the card a Qom Card.
      await landed.insert(0, { vanish: { duringUpdate: 12, tornWrite: 'written' } });
      const ok = await cli(['issue', '--number', '9826000000000045', '--category', 'adult', '--balance', '70000', '--expires', '2030-03-20'], reinsertOnPrompt(landed));
      expect(ok.code, ok.stderr).toBe(0);
      await landed.remove();

      await lost.insert(0, { vanish: { duringUpdate: 12, tornWrite: 'unchanged' } });
      const failed = await cli(['issue', '--number', '9826000000000046', '--category', 'adult', '--balance', '70000', '--expires', '2030-03-20'], reinsertOnPrompt(lost));
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain('still blank: run card issue again');

      const issued = (await journal()).filter((r) => r.reason === 'CARD_ISSUED').map((r) => [r.cardNumber, r.balanceAfter]);
      expect(issued).toContainEqual(['9826000000000045', 70_000]);
      expect(issued.map(([n]) => n)).not.toContain('9826000000000046');
    } finally {
      await landed.remove();
      await lost.remove();
    }
  });

  it('refuses a key file others can read, and bad amounts, before touching the card', async () => {
    await vpcd.insert(0);
    const before = card.toState();
    chmodSync(keys, 0o644);
    try {
      const open = await cli(['topup', '--amount', '1000']);
      expect(open.code).toBe(1);
      expect(open.stderr).toContain(`chmod 600 ${keys}`);
    } finally {
      chmodSync(keys, 0o600);
    }
    const fraction = await cli(['topup', '--amount', '12.5']);
    expect(fraction.code).toBe(2);
    expect(fraction.stderr).toContain('a whole number of rials is expected');
    expect(card.toState()).toEqual(before);
  });
});
