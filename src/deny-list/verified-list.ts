import { verify, type KeyObject } from 'node:crypto';
import { writeFileDurably } from '../fs/durable-file.ts';
import { DenyListError, DenyListProblem } from './deny-list-error.ts';

declare const verified: unique symbol;

/**
 * A list file whose origin has been checked: the only input the importer takes. Lists come from the
 * depot by hand (`validator denylist import`), unsigned, or from the backend through signedListFile, which
 * returns one only when the backend's Ed25519 signature over the exact bytes holds.
 */
export interface VerifiedListFile {
  readonly path: string;
  readonly [verified]: true;
}

/** A file the operator vouches for (depot CLI, tests, simulation): no signature is checked. */
export function depotListFile(path: string): VerifiedListFile {
  return { path } as VerifiedListFile;
}

/**
 * A list file from the backend: its Ed25519 signature by the backend key over the exact bytes is checked (on
 * the thread pool: a full list is large), and only then are the bytes written to `path` (durably) and handed
 * on. A signature that does not hold rejects with DenyListError(BadSignature) and writes nothing.
 */
export async function signedListFile(path: string, body: Uint8Array, signature: string, backendKey: KeyObject): Promise<VerifiedListFile> {
  const bytes = Buffer.from(signature, 'base64');
  const holds =
    bytes.length === 64 && (await new Promise<boolean>((resolve) => verify(null, body, backendKey, bytes, (err, ok) => resolve(err === null && ok))));
  if (!holds) {
    throw new DenyListError(DenyListProblem.BadSignature, `the list's signature does not verify with the backend key (${body.length} bytes): refused, the list in force stays`);
  }
  await writeFileDurably(path, body, { mode: 0o600 });
  return { path } as VerifiedListFile;
}
