import { appendFileSync, fstatSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createLogger, type Level, type Logger } from '../log/logger.ts';

/**
 * Where logs go: under systemd, when stderr is the journal's stream, journald lines with "<N>" priorities
 * (SyslogLevelPrefix=, on by default) on stderr; while the terminal panel owns the screen, a file in the
 * state directory; otherwise JSON lines on stdout.
 */
export function daemonLogger(level: Level, panelLogFile: string | null, env: NodeJS.ProcessEnv = process.env): Logger {
  if (panelLogFile) {
    mkdirSync(dirname(panelLogFile), { recursive: true });
    return createLogger({ level, format: 'json', write: (line) => appendFileSync(panelLogFile, line + '\n') });
  }
  if (isJournalStream(2, env)) return createLogger({ level, format: 'journald', write: (line) => process.stderr.write(line + '\n') });
  return createLogger({ level, format: 'json', write: (line) => process.stdout.write(line + '\n') });
}

/**
 * Whether the file descriptor is the stream systemd connected to the journal: JOURNAL_STREAM holds that
 * stream's "device:inode" (systemd.exec(5)). Only then do "<N>" prefixes become priorities: inherited by a
 * command whose stderr was redirected, the variable names another file, and the lines stay as they are.
 */
export function isJournalStream(fd: number, env: NodeJS.ProcessEnv = process.env): boolean {
  const [device, inode, ...rest] = (env.JOURNAL_STREAM ?? '').split(':');
  if (!device || !inode || rest.length > 0) return false;
  try {
    const stat = fstatSync(fd, { bigint: true });
    return stat.dev.toString() === device && stat.ino.toString() === inode;
  } catch {
    return false;
  }
}
