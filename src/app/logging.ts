import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createLogger, type Level, type Logger } from '../log/logger.ts';

/**
 * Where logs go: under systemd (JOURNAL_STREAM set) journald lines with priorities on stderr; while the
 * terminal panel owns the screen, a file in the state directory; otherwise JSON lines on stdout.
 */
export function daemonLogger(level: Level, panelLogFile: string | null, env: NodeJS.ProcessEnv = process.env): Logger {
  if (panelLogFile) {
    mkdirSync(dirname(panelLogFile), { recursive: true });
    return createLogger({ level, format: 'json', write: (line) => appendFileSync(panelLogFile, line + '\n') });
  }
  if (env.JOURNAL_STREAM) return createLogger({ level, format: 'journald', write: (line) => process.stderr.write(line + '\n') });
  return createLogger({ level, format: 'json', write: (line) => process.stdout.write(line + '\n') });
}
