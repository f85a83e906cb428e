/**
 * The config file as the JSON document a person wrote, not the parsed config: provisioning and
 * `validator assign` change a few keys in it and keep everything else as it was, defaults left unwritten.
 */
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../config/load-config.ts';
import { configSchema } from '../../config/schema.ts';
import { ErrorCode, ValidatorError } from '../../domain/errors.ts';

export type ConfigDocument = Record<string, unknown>;

/** The sync settings a backend may hand a device at enrollment; never the URL or the key file. */
const BACKEND_SETTINGS = ['batchSize', 'intervalSeconds', 'heartbeatSeconds', 'backoffBaseSeconds', 'backoffMaxSeconds', 'requestTimeoutSeconds'] as const;

/** The document at `path`, or null when there is no file; a file that is not a valid config throws ConfigInvalid. */
export function readConfigDocument(path: string): { readonly document: ConfigDocument; readonly text: string } | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ValidatorError(ErrorCode.ConfigInvalid, `cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { cause: e });
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (e) {
    throw new ValidatorError(ErrorCode.ConfigInvalid, `${path} is not valid JSON (${(e as Error).message}): fix it, or move it aside to start from the defaults`, { cause: e });
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new ValidatorError(ErrorCode.ConfigInvalid, `${path} is not a JSON object: fix it, or move it aside to start from the defaults`);
  }
  parseConfig(document, path);
  return { document: document as ConfigDocument, text };
}

/** A copy of `document` with `section.key` set (the section made when absent). */
export function withSetting(document: ConfigDocument, section: string, key: string, value: unknown): ConfigDocument {
  const current = document[section];
  const object = typeof current === 'object' && current !== null && !Array.isArray(current) ? (current as Record<string, unknown>) : {};
  return { ...document, [section]: { ...object, [key]: value } };
}

export interface BackendSettings {
  readonly document: ConfigDocument;
  /** "sync.batchSize = 500", one per setting taken. */
  readonly taken: readonly string[];
  /** A setting not taken, and why. */
  readonly ignored: readonly string[];
}

/**
 * The enrollment's `config` from the backend, as sync settings: each is taken when it is one of
 * BACKEND_SETTINGS and the schema allows its value; anything else is named and left out.
 */
export function withBackendSettings(document: ConfigDocument, fromBackend: Readonly<Record<string, unknown>>): BackendSettings {
  let next = document;
  const taken: string[] = [];
  const ignored: string[] = [];
  for (const [key, value] of Object.entries(fromBackend)) {
    if (!(BACKEND_SETTINGS as readonly string[]).includes(key)) {
      ignored.push(`${key}: not a sync setting this validator takes from the backend`);
      continue;
    }
    if (!configSchema.safeParse({ sync: { [key]: value } }).success) {
      ignored.push(`${key} = ${JSON.stringify(value)}: outside what sync.${key} allows (src/config/schema.ts)`);
      continue;
    }
    next = withSetting(next, 'sync', key, value);
    taken.push(`sync.${key} = ${JSON.stringify(value)}`);
  }
  return { document: next, taken, ignored };
}

/** The file's text: two-space JSON and a final newline, as a person would write it. */
export function configText(document: ConfigDocument): string {
  return JSON.stringify(document, null, 2) + '\n';
}
