/** Structured logs: a namespace per component, levels, lazy messages, journald priorities under systemd. */

export type Level = 'debug' | 'info' | 'warn' | 'error';
export type Fields = Readonly<Record<string, unknown>>;
/** A message, or a function that makes it only when the level is enabled (hex dumps). */
export type Message = string | (() => string);

export interface Logger {
  debug(message: Message, fields?: Fields): void;
  info(message: Message, fields?: Fields): void;
  warn(message: Message, fields?: Fields): void;
  error(message: Message, fields?: Fields): void;
  /** A logger for a sub-component: namespaces join with ":". */
  child(namespace: string): Logger;
}

/** json: one JSON object a line. journald: "<N>" priority prefix and "ns: message k=v". */
export type LogFormat = 'json' | 'journald';

export interface LoggerOptions {
  readonly level: Level;
  readonly format: LogFormat;
  readonly write: (line: string) => void;
  readonly now?: () => number;
}

const rank: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
/** sd-daemon(3) priorities. */
const journaldPriority: Record<Level, number> = { debug: 7, info: 6, warn: 4, error: 3 };

export function createLogger(options: LoggerOptions, namespace = 'validator'): Logger {
  const min = rank[options.level];
  const now = options.now ?? Date.now;
  const emit = (level: Level, message: Message, fields?: Fields): void => {
    if (rank[level] < min) return;
    const msg = typeof message === 'function' ? message() : message;
    options.write(
      options.format === 'json'
        ? JSON.stringify({ time: new Date(now()).toISOString(), level, ns: namespace, msg, ...fields })
        : `<${journaldPriority[level]}>${namespace}: ${msg}${formatFields(fields)}`,
    );
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (ns) => createLogger(options, `${namespace}:${ns}`),
  };
}

/** A logger that drops everything (tests that do not look at logs). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

function formatFields(fields: Fields | undefined): string {
  if (!fields) return '';
  return Object.entries(fields)
    .map(([k, v]) => ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('');
}
