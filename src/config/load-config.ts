import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ErrorCode, ValidatorError } from '../domain/errors.ts';
import { configSchema, type Config } from './schema.ts';

/** Validates a parsed config document; every problem is reported at once. */
export function parseConfig(input: unknown, source: string): Config {
  const result = configSchema.safeParse(input);
  if (result.success) {
    checkTimeZone(result.data.network.timeZone, source);
    return result.data;
  }
  const lines = result.error.issues.map((issue) => describeIssue(issue, input));
  throw new ValidatorError(
    ErrorCode.ConfigInvalid,
    `${source} has ${lines.length} problem${lines.length === 1 ? '' : 's'}:\n${lines.map((l) => `  - ${l}`).join('\n')}`,
  );
}

/** Reads and validates a JSON config file. */
export function loadConfigFile(path: string): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ValidatorError(
      ErrorCode.ConfigInvalid,
      `cannot read config file ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)}): ` +
        'check the path given with --config or VALIDATOR_CONFIG, or run without it to use the defaults',
      { cause: e },
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (e) {
    throw new ValidatorError(
      ErrorCode.ConfigInvalid,
      `config file ${path} is not valid JSON: ${(e as Error).message}`,
      { cause: e },
    );
  }
  return parseConfig(document, path);
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const key = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') {
    return `${key}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}; remove ${issue.keys.length > 1 ? 'them' : 'it'} or check the spelling`;
  }
  const value = valueAt(input, issue.path);
  const shown = value === undefined ? 'missing' : JSON.stringify(value);
  return `${key} = ${shown}: ${allowed(issue)}`;
}

function allowed(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_value':
      return `allowed: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return `must be at least ${String(issue.minimum)}${issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' entries' : ''}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)}${issue.origin === 'string' ? ' characters' : ''}`;
    case 'invalid_type':
      return `expected ${issue.expected}`;
    default:
      return issue.message;
  }
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let node = input;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function checkTimeZone(timeZone: string, source: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new ValidatorError(
      ErrorCode.ConfigInvalid,
      `${source} has 1 problem:\n  - network.timeZone = ${JSON.stringify(timeZone)}: not an IANA time zone (e.g. "Asia/Tehran")`,
    );
  }
}
