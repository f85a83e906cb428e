import { timingSafeEqual } from 'node:crypto';
import { ErrorCode, ValidatorError } from '../../src/domain/errors.ts';
import { AES128_KEY_LENGTH } from './aes-cmac.ts';
import { MAX_SYSTEM_IDENTIFIER } from './card-key-inputs.ts';

/**
 * The key file, version 1. JSON, mode 0600, owned by the daemon's user; its path comes from the
 * configuration.
 *
 *     {
 *       "version": 1,
 *       "systemIdentifier": "Qom Card",
 *       "masterKeys": {
 *         "sector": "<32 hex digits>",
 *         "mac": "<32 hex digits>"
 *       }
 *     }
 *
 * - `systemIdentifier`: AN10922's system identifier, 1 to 18 printable ASCII characters. It keeps two
 *   systems that share master keys (a test bench, another city) from deriving the same card keys. Not secret.
 * - `masterKeys.sector`: the AES-128 key every card's MIFARE Classic keys (A and B, one pair per card for
 *   all the Qom sectors) are diversified from.
 * - `masterKeys.mac`: the AES-128 key every card's purse-slot MAC key is diversified from. It must differ
 *   from the sector master: the Classic keys end up on the card, where Crypto1 does not keep them.
 *
 * Make a key with `openssl rand -hex 16`. Every field is required and no other field is allowed.
 *
 * Unlike the config loader, nothing here echoes a value: a problem names the field and what it should be,
 * never its content, and a JSON syntax error is reported without the parser's message, which quotes the
 * text around the error.
 */

export const KEY_FILE_VERSION = 1;

/** The parsed file. It holds the master keys in clear: hand it straight to the key store, never log it. */
export interface KeyFileContents {
  readonly systemIdentifier: string;
  readonly sectorMaster: Buffer;
  readonly macMaster: Buffer;
}

type Role = 'sector' | 'mac';
const ROLES: readonly Role[] = ['sector', 'mac'];
const FIELDS = ['version', 'systemIdentifier', 'masterKeys'];
const HOW_TO_MAKE = 'make one with: openssl rand -hex 16';

/** Parses and checks a key file's text; every problem is reported at once, none with key material. */
export function parseKeyFile(text: string, source: string): KeyFileContents {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    // No cause either: a SyntaxError's message quotes the file.
    throw new ValidatorError(ErrorCode.ConfigInvalid, `key file ${source} is not valid JSON (the parser's message is not shown: it would quote the file)`);
  }
  const problems: string[] = [];
  const contents = check(document, problems);
  if (contents && problems.length === 0) return contents;
  throw new ValidatorError(
    ErrorCode.ConfigInvalid,
    `key file ${source} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
  );
}

/** The text of a key file holding `contents`: what `parseKeyFile` reads back. It holds the keys: write it to a 0600 file only. */
export function keyFileText(contents: KeyFileContents): string {
  const document = {
    version: KEY_FILE_VERSION,
    systemIdentifier: contents.systemIdentifier,
    masterKeys: { sector: contents.sectorMaster.toString('hex'), mac: contents.macMaster.toString('hex') },
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function check(document: unknown, problems: string[]): KeyFileContents | undefined {
  if (!isObject(document)) {
    problems.push(`(top level): must be a JSON object with ${FIELDS.join(', ')}`);
    return undefined;
  }
  unexpectedFields(document, FIELDS, '(top level)', problems);
  if (document.version !== KEY_FILE_VERSION) {
    const shown = typeof document.version === 'number' ? String(document.version) : document.version === undefined ? 'missing' : `a ${typeof document.version}`;
    problems.push(`version = ${shown}: this build reads key file version ${KEY_FILE_VERSION}`);
  }
  const systemIdentifier = checkSystemIdentifier(document.systemIdentifier, problems);
  const masters = document.masterKeys;
  if (!isObject(masters)) {
    problems.push(`masterKeys: ${masters === undefined ? 'missing' : 'must be an object'} with "sector" and "mac", each 32 hex digits`);
    return undefined;
  }
  unexpectedFields(masters, ROLES, 'masterKeys', problems);
  const sectorMaster = checkKey('sector', masters.sector, problems);
  const macMaster = checkKey('mac', masters.mac, problems);
  if (!sectorMaster || !macMaster || systemIdentifier === undefined) return undefined;
  if (timingSafeEqual(sectorMaster, macMaster)) {
    problems.push('masterKeys.sector and masterKeys.mac are the same key: each role needs its own; ' + HOW_TO_MAKE);
  }
  return { systemIdentifier, sectorMaster, macMaster };
}

function checkKey(role: Role, value: unknown, problems: string[]): Buffer | undefined {
  const field = `masterKeys.${role}`;
  const digits = 2 * AES128_KEY_LENGTH;
  if (value === undefined) {
    problems.push(`${field}: missing; ${HOW_TO_MAKE}`);
  } else if (typeof value !== 'string') {
    problems.push(`${field}: must be a string of ${digits} hex digits, not a ${value === null ? 'null' : typeof value}`);
  } else if (value.length !== digits) {
    problems.push(`${field}: must be ${digits} hex digits (an AES-128 key), it has ${value.length} characters`);
  } else if (!/^[0-9a-fA-F]+$/.test(value)) {
    problems.push(`${field}: must be ${digits} hex digits (an AES-128 key), it has a character that is not a hex digit`);
  } else if (/^0+$/.test(value)) {
    problems.push(`${field}: all zeros, a placeholder; ${HOW_TO_MAKE}`);
  } else {
    return Buffer.from(value, 'hex');
  }
  return undefined;
}

function checkSystemIdentifier(value: unknown, problems: string[]): string | undefined {
  if (typeof value === 'string' && value.length >= 1 && value.length <= MAX_SYSTEM_IDENTIFIER && /^[\x20-\x7e]+$/.test(value)) return value;
  const shown = value === undefined ? 'missing' : typeof value === 'string' ? `${value.length} characters` : `a ${typeof value}`;
  problems.push(`systemIdentifier (${shown}): must be 1 to ${MAX_SYSTEM_IDENTIFIER} printable ASCII characters, e.g. "Qom Card"`);
  return undefined;
}

function unexpectedFields(object: Record<string, unknown>, allowed: readonly string[], where: string, problems: string[]): void {
  // The names are not shown: a key pasted in the wrong place would be a name.
  const extra = Object.keys(object).filter((k) => !allowed.includes(k)).length;
  if (extra > 0) problems.push(`${where}: ${extra} unexpected field${extra === 1 ? '' : 's'}; the allowed ones are ${allowed.join(', ')}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
