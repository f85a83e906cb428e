import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerDenylistCommands } from '../../src/cli/denylist-command.ts';
import { ControlServer } from '../../src/control/control-server.ts';
import { controlSocketPath } from '../../src/control/socket-path.ts';
import { denyListControlHandlers } from '../../src/deny-list/control-handlers.ts';
import { ErrorCode, isValidatorError, type ValidatorError } from '../../src/domain/errors.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { add, header, openStore, remove, useTempDir, writeList } from './helpers.ts';

/** Runs `validator --state-dir DIR …args` with the denylist commands, as main.ts will; returns what it printed. */
async function validator(stateDir: string, args: readonly string[]): Promise<{ stdout: string; exitCode: number | undefined }> {
  const program = new Command('validator').option('--state-dir <dir>').exitOverride();
  registerDenylistCommands(program);
  const printed: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
  const before = process.exitCode;
  try {
    await program.parseAsync(['--state-dir', stateDir, ...args], { from: 'user' });
    return { stdout: printed.join(''), exitCode: typeof process.exitCode === 'number' ? process.exitCode : undefined };
  } finally {
    write.mockRestore();
    process.exitCode = before;
  }
}

async function rejection(promise: Promise<unknown>): Promise<ValidatorError> {
  const error: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isValidatorError(error), String(error)).toBe(true);
  return error as ValidatorError;
}

describe('validator denylist', () => {
  const dir = useTempDir();
  let server: ControlServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it('imports into the state directory when no validator runs, then checks cards', async () => {
    const file = await writeList(dir.path, 'v1.ndjson', [header('v1', 'full', null, 2), add('0042', 'stolen', 'block'), add('9826000000001007')]);

    const imported = await validator(dir.path, ['denylist', 'import', file]);
    expect(imported.stdout).toBe('deny list version v1 in force (full list, was none): 2 cards, 2 added, 0 removed\n');
    expect(imported.exitCode).toBe(0);

    expect((await validator(dir.path, ['denylist', 'check', '0042'])).stdout).toMatch(/^card 0042: LISTED, stolen, action block, added \d{4}-\d\d-\d\d \(deny list version v1\)\n$/);
    expect((await validator(dir.path, ['denylist', 'check', '42'])).stdout).toBe('card 42: not listed (deny list version v1, 2 cards)\n');
    const json = await validator(dir.path, ['denylist', 'check', '9826000000001007', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ card: '9826000000001007', listed: true, reason: 'lost', action: 'reject', version: 'v1', entries: 2 });
  });

  it('imports through the running validator, which applies it to the list it serves', async () => {
    const store = openStore(dir.path);
    server = new ControlServer({ path: controlSocketPath(dir.path), handlers: denyListControlHandlers(store), log: silentLogger });
    await server.listen();
    const file = await writeList(dir.path, 'v1.ndjson', [header('v1', 'full', null, 1), add('1001')]);
    await validator(dir.path, ['denylist', 'import', file]);
    const delta = await writeList(dir.path, 'v2.ndjson', [header('v2', 'delta', 'v1', 2), remove('1001'), add('1002')]);

    const imported = await validator(dir.path, ['denylist', 'import', delta, '--json']);

    expect(JSON.parse(imported.stdout)).toMatchObject({ applied: true, kind: 'delta', version: 'v2', entries: 1, added: 1, removed: 1 });
    expect(store.version).toBe('v2');
    expect(store.lookup('1002')).toBeDefined();
    expect((await validator(dir.path, ['denylist', 'check', '1002'])).stdout).toMatch(/LISTED/);
  });

  it('passes the validator\'s refusal on: a delta on the wrong base, the list in force unchanged', async () => {
    const store = openStore(dir.path);
    server = new ControlServer({ path: controlSocketPath(dir.path), handlers: denyListControlHandlers(store), log: silentLogger });
    await server.listen();
    const delta = await writeList(dir.path, 'v2.ndjson', [header('v2', 'delta', 'v1', 1), add('1002')]);

    const error = await rejection(validator(dir.path, ['denylist', 'import', delta]));

    expect(error.code).toBe(ErrorCode.InvalidState);
    expect(error.message).toMatch(/needs full list/);
    expect(store.version).toBe('none');
  });

  it('says what to do when the running validator does not take imports', async () => {
    server = new ControlServer({ path: controlSocketPath(dir.path), handlers: {}, log: silentLogger });
    await server.listen();
    const file = await writeList(dir.path, 'v1.ndjson', [header('v1', 'full', null, 1), add('1001')]);

    const error = await rejection(validator(dir.path, ['denylist', 'import', file]));

    expect(error.message).toMatch(/does not take deny-list imports over its control socket: stop it, import, then start it/);
  });

  it('refuses a card number that is not 1 to 19 digits, and a bad file with its line', async () => {
    expect((await rejection(validator(dir.path, ['denylist', 'check', '12 34']))).message).toMatch(/"12 34" is not a card number: it must be 1 to 19 decimal digits/);
    const bad = await writeList(dir.path, 'bad.ndjson', [header('v1', 'full', null, 1), '{"op":"add","card":"1","reason":"lost","action":"ban"}']);
    const error = await rejection(validator(dir.path, ['denylist', 'import', bad]));
    expect(error.code).toBe(ErrorCode.BadRequest);
    expect(error.message).toMatch(/bad\.ndjson line 2: "action" must be "reject" or "block", not "ban"/);
  });
});
