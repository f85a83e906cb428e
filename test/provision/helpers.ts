/** The reference receiver on loopback with a published deny list and fare bundle, and what provisioning tests compare. */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fareDocumentFromDir } from '../../src/cli/backend-command.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { provisionInput, type ProvisionFlags } from '../../src/app/provision/provision-input.ts';
import { provision, type ProvisionReport } from '../../src/app/provision/provision.ts';
import type { Ownership } from '../../src/app/provision/service-account.ts';
import { isValidatorError, type ValidatorError } from '../../src/domain/errors.ts';
import { GENESIS_HASH } from '../../src/journal/canonical.ts';
import { newKeyPair, rawPublicKey } from '../../sync/contract/keys.ts';
import { openReceiver, type OpenedReceiver } from '../../sync/receiver/open-receiver.ts';
import { changeDenyList, publishFareBundle } from '../../sync/receiver/publish.ts';

export const DEVICE = 'QV-0042';
export const DENIED_CARD = '6037991234567890';
export const SAMPLE_BUNDLE = join(import.meta.dirname, '../../fares/qom-1404');

export interface Backend {
  readonly receiver: OpenedReceiver;
  readonly url: string;
  /** A fresh one-time code, as `validator backend code` issues. */
  code(): string;
  /** A code another device has used already. */
  usedCode(): string;
  denyAdd(card: string): string;
  publishBundle(dir: string): string;
  close(): Promise<void>;
}

/** A receiver in this process on a free loopback port, with one deny-listed card and the sample fare bundle published. */
export async function startBackend(dataDir: string): Promise<Backend> {
  const receiver = openReceiver(dataDir, silentLogger);
  const port = await receiver.server.listen(0);
  const backend: Backend = {
    receiver,
    url: `http://127.0.0.1:${port}`,
    code: () => receiver.store.issueCode(Date.now()),
    usedCode: () => {
      const code = receiver.store.issueCode(Date.now());
      receiver.store.enroll(code, 'QV-OTHER', rawPublicKey(newKeyPair().publicKey), GENESIS_HASH, Date.now());
      return code;
    },
    denyAdd: (card) => changeDenyList(receiver.store, receiver.key.privateKey, [{ op: 'add', card, reason: 'stolen', action: 'reject' }], Date.now()),
    publishBundle: (dir) => {
      const { version, document } = fareDocumentFromDir(dir);
      publishFareBundle(receiver.store, receiver.key.privateKey, version, document, Date.now());
      return version;
    },
    close: async () => {
      await receiver.server.close();
      receiver.store.close();
    },
  };
  backend.denyAdd(DENIED_CARD);
  backend.publishBundle(SAMPLE_BUNDLE);
  return backend;
}

/** The sample bundle with routes 12 and 14 placed in a network, as version `version`. */
export function bundleWithRoutes(dir: string, version: string): string {
  cpSync(SAMPLE_BUNDLE, dir, { recursive: true });
  writeFileSync(join(dir, 'networks.txt'), 'network_id,network_name\nqom_bus,Qom city buses\n');
  writeFileSync(join(dir, 'route_networks.txt'), 'network_id,route_id\nqom_bus,12\nqom_bus,14\n');
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, version }));
  return dir;
}

export interface Target {
  readonly stateDir: string;
  readonly configFile: string;
}

/** Provisions in this process, as the CLI does, with the files left to their creator unless `ownership` says. */
export async function provisionWith(target: Target, flags: ProvisionFlags, ownership: Ownership | null = null): Promise<ProvisionReport> {
  return await provision({
    input: provisionInput(flags),
    stateDir: target.stateDir,
    configFile: target.configFile,
    ownership,
    onDownload: () => ({ progress: () => undefined, done: () => undefined }),
  });
}

/** Every file under `dir` with its mode and a hash of its bytes; null when `dir` does not exist. */
export function snapshot(dir: string): Record<string, string> | null {
  if (!existsSync(dir)) return null;
  const out: Record<string, string> = {};
  const walk = (at: string, rel: string): void => {
    for (const name of readdirSync(at).sort()) {
      const path = join(at, name);
      const stat = lstatSync(path);
      const key = rel === '' ? name : `${rel}/${name}`;
      if (stat.isDirectory()) {
        out[`${key}/`] = (stat.mode & 0o777).toString(8);
        walk(path, key);
      } else {
        out[key] = `${(stat.mode & 0o777).toString(8)} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
      }
    }
  };
  walk(dir, '');
  return out;
}

export function mode(path: string): number {
  return lstatSync(path).mode & 0o777;
}

/** The ValidatorError a promise rejects with (the test fails when it resolves or throws anything else). */
export async function refusal(promise: Promise<unknown>): Promise<ValidatorError> {
  try {
    await promise;
  } catch (e) {
    if (isValidatorError(e)) return e;
    throw e;
  }
  throw new Error('expected a refusal, and it succeeded');
}
