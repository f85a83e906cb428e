import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ErrorCode, isValidatorError } from '../../../src/domain/errors.ts';
import { diversifyAes128 } from '../../../device/crypto/an10922.ts';
import { classicKeyInput, macKeyInput } from '../../../device/crypto/card-key-inputs.ts';
import { FileKeyStore } from '../../../device/crypto/key-file.ts';
import { hex, keyDocument, MAC_MASTER, SECTOR_MASTER, useKeyDir } from './helpers.ts';

const UID = hex('04A1B2C3');
const OTHER_UID = hex('04A1B2C4');

/** The message a refused load throws; it must be a ConfigInvalid and must not show a test key. */
function refusal(load: () => unknown): string {
  try {
    load();
  } catch (e) {
    expect(isValidatorError(e, ErrorCode.ConfigInvalid)).toBe(true);
    const shown = inspect(e, { depth: Infinity });
    for (const key of [SECTOR_MASTER, MAC_MASTER]) {
      expect(shown.toUpperCase()).not.toContain(key.slice(0, 12));
    }
    return (e as Error).message;
  }
  throw new Error('expected the key file to be refused');
}

describe('FileKeyStore', () => {
  const dir = useKeyDir();

  it('loads a key file and derives AN10922 keys from it (round trip)', () => {
    const store = FileKeyStore.load(dir.writeKeyFile(keyDocument()));
    const system = Buffer.from('Qom Card', 'latin1');
    const expected = diversifyAes128(hex(SECTOR_MASTER), classicKeyInput(UID, 'B', system)).subarray(0, 6);
    expect(store.cardKey(UID, 'B')).toEqual(expected);
    expect(store.cardKey(UID, 'B').toString('hex')).toBe('785ecc173e6a');
    expect(store.macKey(UID)).toEqual(diversifyAes128(hex(MAC_MASTER), macKeyInput(UID, system)));
  });

  it('gives the same card the same keys, and another card other keys', () => {
    const store = FileKeyStore.load(dir.writeKeyFile(keyDocument()));
    expect(store.cardKey(UID, 'B')).toEqual(store.cardKey(Buffer.from(UID), 'B'));
    expect(store.macKey(UID)).toEqual(store.macKey(Buffer.from(UID)));
    expect(store.cardKey(UID, 'B')).not.toEqual(store.cardKey(OTHER_UID, 'B'));
    expect(store.macKey(UID)).not.toEqual(store.macKey(OTHER_UID));
  });

  it('gives key A, key B and the MAC key of a card each their own value', () => {
    const store = FileKeyStore.load(dir.writeKeyFile(keyDocument()));
    const keys = [store.cardKey(UID, 'A'), store.cardKey(UID, 'B'), store.macKey(UID).subarray(0, 6)].map((k) => k.toString('hex'));
    expect(new Set(keys).size).toBe(3);
  });

  it('reads key file text that is not a file on disk (the test keys tests carry), with the same checks', () => {
    const store = FileKeyStore.fromText(JSON.stringify(keyDocument()), 'inline test keys');
    expect(store.cardKey(UID, 'B').toString('hex')).toBe('785ecc173e6a');
    expect(String(store)).toBe('FileKeyStore(inline test keys)');
    expect(refusal(() => FileKeyStore.fromText(JSON.stringify(keyDocument({ version: 2 })), 'inline test keys'))).toContain('version = 2');
  });

  it('hands out a fresh buffer each time', () => {
    const store = FileKeyStore.load(dir.writeKeyFile(keyDocument()));
    const first = store.cardKey(UID, 'B');
    first.fill(0);
    expect(store.cardKey(UID, 'B').toString('hex')).toBe('785ecc173e6a');
  });

  it('keys depend on the system identifier', () => {
    const qom = FileKeyStore.load(dir.writeKeyFile(keyDocument()));
    const bench = FileKeyStore.load(dir.writeKeyFile(keyDocument({ systemIdentifier: 'Qom Bench' })));
    expect(qom.cardKey(UID, 'B')).not.toEqual(bench.cardKey(UID, 'B'));
  });

  it('shows no key through inspect, console-style formatting, JSON or String', () => {
    const path = dir.writeKeyFile(keyDocument());
    const store = FileKeyStore.load(path);
    const secrets = [SECTOR_MASTER, MAC_MASTER, store.cardKey(UID, 'B').toString('hex'), store.macKey(UID).toString('hex')];
    const outputs = [
      inspect(store),
      inspect(store, { showHidden: true, depth: Infinity, getters: true }),
      inspect({ keys: store }, { depth: Infinity }),
      JSON.stringify(store),
      JSON.stringify({ keys: store }),
      String(store),
      [store].join(),
    ];
    for (const output of outputs) {
      for (const secret of secrets) expect(output.toLowerCase()).not.toContain(secret.toLowerCase());
      expect(output).toContain(path);
    }
    expect(inspect(store)).toBe(`FileKeyStore { path: ${JSON.stringify(path)}, keys: [hidden] }`);
    expect(JSON.parse(JSON.stringify(store))).toEqual({ path, keys: '[hidden]' });
    expect(Object.keys(store)).toEqual(['path']);
  });

  it('refuses a key file that group or others may read, saying how to fix it', () => {
    for (const mode of [0o644, 0o640, 0o604, 0o660]) {
      const path = dir.writeKeyFile(keyDocument(), mode);
      const message = refusal(() => FileKeyStore.load(path));
      expect(message).toContain(`mode 0${mode.toString(8)}`);
      expect(message).toContain(`chmod 600 ${path}`);
    }
    expect(() => FileKeyStore.load(dir.writeKeyFile(keyDocument(), 0o400))).not.toThrow();
  });

  it('refuses keys of the wrong length by role, without showing them', () => {
    const path = dir.writeKeyFile(keyDocument({ masterKeys: { sector: SECTOR_MASTER.slice(0, 30), mac: `${MAC_MASTER}00` } }));
    const message = refusal(() => FileKeyStore.load(path));
    expect(message).toContain('has 2 problems');
    expect(message).toContain('masterKeys.sector: must be 32 hex digits (an AES-128 key), it has 30 characters');
    expect(message).toContain('masterKeys.mac: must be 32 hex digits (an AES-128 key), it has 34 characters');
  });

  it('refuses malformed, missing, placeholder and shared keys, without showing them', () => {
    const notHex = `${SECTOR_MASTER.slice(0, 31)}G`;
    expect(refusal(() => FileKeyStore.load(dir.writeKeyFile(keyDocument({ masterKeys: { sector: notHex, mac: MAC_MASTER } }))))).toContain(
      'masterKeys.sector: must be 32 hex digits (an AES-128 key), it has a character that is not a hex digit',
    );
    expect(refusal(() => FileKeyStore.load(dir.writeKeyFile(keyDocument({ masterKeys: { sector: SECTOR_MASTER } }))))).toContain(
      'masterKeys.mac: missing; make one with: openssl rand -hex 16',
    );
    expect(refusal(() => FileKeyStore.load(dir.writeKeyFile(keyDocument({ masterKeys: { sector: 42, mac: MAC_MASTER } }))))).toContain(
      'masterKeys.sector: must be a string of 32 hex digits, not a number',
    );
    expect(refusal(() => FileKeyStore.load(dir.writeKeyFile(keyDocument({ masterKeys: { sector: '0'.repeat(32), mac: MAC_MASTER } }))))).toContain(
      'masterKeys.sector: all zeros',
    );
    expect(refusal(() => FileKeyStore.load(dir.writeKeyFile(keyDocument({ masterKeys: { sector: MAC_MASTER, mac: MAC_MASTER.toLowerCase() } }))))).toContain(
      'masterKeys.sector and masterKeys.mac are the same key',
    );
  });

  it('refuses the wrong version, system identifier and fields, listing every problem at once', () => {
    const path = dir.writeKeyFile({ version: 2, systemIdentifier: 'Qom Card is too long a name', masterKeys: { sector: SECTOR_MASTER, mac: MAC_MASTER, [SECTOR_MASTER]: 'x' }, spare: MAC_MASTER });
    const message = refusal(() => FileKeyStore.load(path));
    expect(message).toContain(`key file ${path} has 4 problems`);
    expect(message).toContain('version = 2: this build reads key file version 1');
    expect(message).toContain('systemIdentifier (27 characters): must be 1 to 18 printable ASCII characters');
    expect(message).toContain('(top level): 1 unexpected field; the allowed ones are version, systemIdentifier, masterKeys');
    expect(message).toContain('masterKeys: 1 unexpected field; the allowed ones are sector, mac');
  });

  it('refuses text that is not JSON without quoting it', () => {
    const path = dir.writeKeyFile(`{"version": 1, "masterKeys": {"sector": ${SECTOR_MASTER}}}`);
    expect(refusal(() => FileKeyStore.load(path))).toContain('is not valid JSON');
    expect(refusal(() => FileKeyStore.load(dir.writeKeyFile('[]')))).toContain('(top level): must be a JSON object');
  });

  it('refuses a missing file, a directory and an oversized file with what to check', () => {
    const path = dir.writeKeyFile(keyDocument());
    expect(refusal(() => FileKeyStore.load(`${path}.missing`))).toContain('(ENOENT): check the key file path in the configuration');
    const directory = join(dirname(path), 'keys.d');
    mkdirSync(directory, { mode: 0o700 });
    expect(refusal(() => FileKeyStore.load(directory))).toContain('is not a regular file');
    const big = dir.writeKeyFile(JSON.stringify(keyDocument()) + ' '.repeat(5000));
    expect(refusal(() => FileKeyStore.load(big))).toContain('more than a key file holds');
  });
});
