import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { ErrorCode, ValidatorError } from '../../src/domain/errors.ts';
import type { KeyType } from '../mifare/geometry.ts';
import type { KeyStore } from '../qom-card/key-store.ts';
import { diversifyAes128 } from './an10922.ts';
import { classicKeyFrom, classicKeyInput, macKeyInput } from './card-key-inputs.ts';
import type { MacKeySource } from './cmac-integrity.ts';
import { parseKeyFile } from './key-file-format.ts';

/** Far more than a version 1 key file holds: a bigger file is the wrong path, not a key file. */
const MAX_KEY_FILE_BYTES = 4096;

/**
 * Per-card keys diversified (AN10922, ./card-key-inputs.ts) from the master keys of a key file
 * (./key-file-format.ts). A SAM-backed store can replace it behind the same two interfaces.
 *
 * The master keys live in private fields, and inspect, JSON and String show only the path, so that
 * logging the store, or an object holding it, prints no key. Derived keys are made on each call and
 * never kept.
 */
export class FileKeyStore implements KeyStore, MacKeySource {
  readonly #sectorMaster: Buffer;
  readonly #macMaster: Buffer;
  readonly #systemIdentifier: Buffer;

  private constructor(
    readonly path: string,
    sectorMaster: Buffer,
    macMaster: Buffer,
    systemIdentifier: string,
  ) {
    this.#sectorMaster = sectorMaster;
    this.#macMaster = macMaster;
    this.#systemIdentifier = Buffer.from(systemIdentifier, 'latin1');
  }

  /** Reads and checks the key file at `path`; refuses one that group or others may access. */
  static load(path: string): FileKeyStore {
    return FileKeyStore.fromText(readPrivateFile(path), path);
  }

  /**
   * A store from key file text that is not a private file on this disk: the test keys that tests carry
   * (test/device/crypto/fixtures). `source` names it in errors and in place of a path.
   */
  static fromText(text: string, source: string): FileKeyStore {
    const { sectorMaster, macMaster, systemIdentifier } = parseKeyFile(text, source);
    return new FileKeyStore(source, sectorMaster, macMaster, systemIdentifier);
  }

  /** The 6-byte key A or B of the Qom sectors of the card with this UID. */
  cardKey(uid: Buffer, type: KeyType): Buffer {
    const aesKey = diversifyAes128(this.#sectorMaster, classicKeyInput(uid, type, this.#systemIdentifier));
    const key = classicKeyFrom(aesKey);
    aesKey.fill(0);
    return key;
  }

  /** The AES-128 key that authenticates the purse slots of the card with this UID. */
  macKey(uid: Buffer): Buffer {
    return diversifyAes128(this.#macMaster, macKeyInput(uid, this.#systemIdentifier));
  }

  [inspect.custom](): string {
    return `FileKeyStore { path: ${JSON.stringify(this.path)}, keys: [hidden] }`;
  }

  toJSON(): { path: string; keys: '[hidden]' } {
    return { path: this.path, keys: '[hidden]' };
  }

  toString(): string {
    return `FileKeyStore(${this.path})`;
  }
}

/** The text of a file only its owner may access, checked on the open descriptor so the check is of what is read. */
function readPrivateFile(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    const hint =
      code === 'EACCES'
        ? `the daemon's user must own it (chown that user ${path}; chmod 600 ${path})`
        : 'check the key file path in the configuration';
    throw new ValidatorError(ErrorCode.ConfigInvalid, `cannot open key file ${path} (${code}): ${hint}`, { cause: e });
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      throw new ValidatorError(ErrorCode.ConfigInvalid, `key file ${path} is not a regular file: check the key file path in the configuration`);
    }
    if ((stat.mode & 0o077) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
      throw new ValidatorError(
        ErrorCode.ConfigInvalid,
        `key file ${path} is open to group or others (mode ${mode}); it holds the master keys: run chmod 600 ${path}`,
      );
    }
    if (stat.size > MAX_KEY_FILE_BYTES) {
      throw new ValidatorError(
        ErrorCode.ConfigInvalid,
        `key file ${path} is ${stat.size} bytes, more than a key file holds (${MAX_KEY_FILE_BYTES}): check the key file path in the configuration`,
      );
    }
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}
