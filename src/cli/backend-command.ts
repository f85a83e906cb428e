/**
 * `validator backend`: the reference receiver of the sync contract (sync/receiver), and its admin commands:
 * enrollment codes, deny-list changes, fare bundle publishing, depot export imports. The admin commands
 * open the same database as a running receiver (SQLite WAL), so they work beside it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { daemonLogger } from '../app/logging.ts';
import { ErrorCode, ValidatorError } from '../domain/errors.ts';
import { fareBundleFromDocument } from '../fares/load-fare-bundle.ts';
import { formatProblem } from '../fares/problems.ts';
import { openReceiver } from '../../sync/receiver/open-receiver.ts';
import { importExportFile } from '../../sync/receiver/import-export.ts';
import { changeDenyList, publishFareBundle, type DenyChange } from '../../sync/receiver/publish.ts';

/** The reference receiver's port unless --port says otherwise. */
export const DEFAULT_BACKEND_PORT = 8470;

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new InvalidArgumentError('a TCP port, 0 to 65535, is expected');
  return n;
}

/** Adds `validator backend` and its admin subcommands. */
export function registerBackendCommands(program: Command): void {
  const backend = program
    .command('backend')
    .description('the reference sync receiver (docs/sync-protocol.md): serve it, or administer its data directory')
    .option('--port <port>', 'TCP port on 127.0.0.1', port, DEFAULT_BACKEND_PORT)
    .option('--host <address>', 'address to listen on (plain HTTP: keep it on loopback, or put TLS in front)', '127.0.0.1')
    .option('--data <dir>', 'the receiver\'s data directory (receiver.db, backend-key.pem); the admin commands need it too')
    .option('--exit-with-parent', 'stop when standard input closes (a parent that started it as a child has gone)')
    .action(async (options: { port: number; host: string; data?: string; exitWithParent?: boolean }) => {
      process.exitCode = await serveBackend({ ...options, data: requireData(options.data) });
    });
  const data = (): string => requireData(backend.opts<{ data?: string }>().data);

  backend
    .command('code')
    .description('issue a one-time enrollment code (print it; give it to the technician)')
    .action(() => {
      withReceiver(data(), (r) => process.stdout.write(`${r.store.issueCode(Date.now())}\n`));
    });

  const deny = backend.command('deny').description('change the deny list; each change publishes a signed delta and full list');
  deny
    .command('add')
    .argument('<card>', 'printed card number, 1 to 19 digits')
    .requiredOption('--reason <text>', 'why (shown at the depot)')
    .option('--block', 'also write "blocked" onto the card when it is presented')
    .action((card: string, options: { reason: string; block?: boolean }) => {
      publishDeny(data(), [{ op: 'add', card, reason: options.reason, action: options.block ? 'block' : 'reject' }]);
    });
  deny
    .command('remove')
    .argument('<card>', 'printed card number')
    .action((card: string) => publishDeny(data(), [{ op: 'remove', card }]));

  backend
    .command('import')
    .description('store a depot export file (validator export) under the same exactly-once rules as an upload')
    .argument('<file>', 'the qom-export-*.ndjson file')
    .action((file: string) => {
      let line = '';
      try {
        withReceiver(data(), (r) => {
          const done = importExportFile(r.store, resolve(file));
          line = `${done.deviceId}: ${done.records} records in the file, ${done.added} new, held through seq ${done.ackedThrough}`;
        });
      } catch (e) {
        throw new ValidatorError(ErrorCode.BadRequest, `import refused: ${(e as Error).message}`, { cause: e });
      }
      process.stdout.write(line + '\n');
    });

  backend
    .command('fares')
    .description('publish a GTFS-Fares v2 bundle directory (checked first; signed by the backend key)')
    .argument('<dir>', 'the bundle directory (manifest.json and the *.txt files)')
    .action((dir: string) => {
      const { version, document } = fareDocumentFromDir(resolve(dir));
      withReceiver(data(), (r) => publishFareBundle(r.store, r.key.privateKey, version, document, Date.now()));
      process.stdout.write(`fare bundle ${version} published\n`);
    });
}

/** Serves until SIGTERM or SIGINT. */
async function serveBackend(options: { port: number; host: string; data: string; exitWithParent?: boolean }): Promise<number> {
  const log = daemonLogger('info', null).child('backend');
  const receiver = openReceiver(resolve(options.data), log);
  const bound = await receiver.server.listen(options.port, options.host);
  log.info(`sync receiver listening on http://${options.host}:${bound}`, { data: resolve(options.data) });
  await new Promise<void>((done) => {
    process.once('SIGTERM', done);
    process.once('SIGINT', done);
    if (options.exitWithParent) {
      // npm start's daemon killed outright (SIGKILL) must not leave its receiver running.
      process.stdin.once('end', done);
      process.stdin.once('error', done);
      process.stdin.resume();
    }
  });
  await receiver.server.close();
  receiver.store.close();
  return 0;
}

function requireData(data: string | undefined): string {
  if (data === undefined) throw new ValidatorError(ErrorCode.BadRequest, 'validator backend needs --data DIR: the directory for its database and signing key (e.g. validator backend --data /var/lib/qom-backend code)');
  return data;
}

function withReceiver(data: string, f: (r: ReturnType<typeof openReceiver>) => void): void {
  const receiver = openReceiver(resolve(data), daemonLogger('warn', null));
  try {
    f(receiver);
  } finally {
    receiver.store.close();
  }
}

function publishDeny(data: string, changes: DenyChange[]): void {
  let version = '';
  try {
    withReceiver(data, (r) => {
      version = changeDenyList(r.store, r.key.privateKey, changes, Date.now());
    });
  } catch (e) {
    throw new ValidatorError(ErrorCode.BadRequest, (e as Error).message, { cause: e });
  }
  process.stdout.write(`deny list version ${version} published\n`);
}

/** A bundle directory as the document devices receive, after the same checks a device makes. */
export function fareDocumentFromDir(dir: string): { version: string; document: Buffer } {
  let manifest: Record<string, unknown>;
  const files: Record<string, string> = {};
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.txt'))) files[name] = readFileSync(join(dir, name), 'utf8');
  } catch (e) {
    throw new ValidatorError(ErrorCode.BadRequest, `cannot read the bundle in ${dir}: ${(e as Error).message}`, { cause: e });
  }
  const document = { ...manifest, files };
  const checked = fareBundleFromDocument(document);
  if (!checked.ok) {
    throw new ValidatorError(ErrorCode.BadRequest, `${dir} is not a valid bundle:\n${checked.problems.map(formatProblem).join('\n')}\n(check it with: validator fares check ${dir})`);
  }
  return { version: checked.bundle.version, document: Buffer.from(JSON.stringify(document)) };
}
