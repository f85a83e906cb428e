/** Ed25519 keys as the contract carries them: base64 of the 32 raw public key bytes; PEM files at rest. */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { writeFileDurablySync, type FileOwner } from '../../src/fs/durable-file.ts';

/** The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): 12 bytes, then the 32 raw key bytes. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface KeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export function newKeyPair(): KeyPair {
  return generateKeyPairSync('ed25519');
}

/** Base64 of the 32 raw bytes. */
export function rawPublicKey(key: KeyObject): string {
  const der = key.export({ type: 'spki', format: 'der' });
  return der.subarray(SPKI_PREFIX.length).toString('base64');
}

/** A public key from base64 of its 32 raw bytes; throws with what was wrong. */
export function publicKeyFromRaw(base64: string): KeyObject {
  const raw = Buffer.from(base64, 'base64');
  if (raw.length !== 32) throw new Error(`an Ed25519 public key is 32 bytes in base64; got ${raw.length} bytes`);
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** A private key as PKCS#8 PEM, the form its file holds. */
export function privateKeyPem(key: KeyObject): string {
  const pem = key.export({ type: 'pkcs8', format: 'pem' });
  return typeof pem === 'string' ? pem : pem.toString('utf8');
}

/** Writes a private key as PKCS#8 PEM, mode 0600, durably (src/fs/durable-file.ts). */
export function writePrivateKeyFile(path: string, key: KeyObject, owner: FileOwner | null = null): void {
  writeFileDurablySync(path, privateKeyPem(key), { mode: 0o600, owner });
}

/** Reads a private key file; refuses one that others can read, since it is the device's identity. */
export function readPrivateKeyFile(path: string): KeyPair {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new Error(`${path} is readable by others (mode ${mode.toString(8)}); it is a private key: chmod 600 ${path}`);
  }
  const privateKey = createPrivateKey(readFileSync(path));
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${path} holds a ${privateKey.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
  return { privateKey, publicKey: createPublicKey(privateKey) };
}
