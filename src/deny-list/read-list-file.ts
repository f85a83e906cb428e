import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ValidatorError } from '../domain/errors.ts';
import { DenyListError, DenyListProblem } from './deny-list-error.ts';
import { parseHeader, type ListHeader } from './list-header.ts';
import { ListLine } from './list-line.ts';

/** Entries between two progress reports: a few a second at the worker's pace, nothing against its cost. */
const PROGRESS_EVERY = 1 << 16;
/** An entry line is under 200 bytes; a longer line means the file is not a deny list. */
const MAX_LINE_BYTES = 4096;
const NEWLINE = 0x0a;

/** What the file was, once read to the end. */
export interface ListFileFacts {
  readonly path: string;
  readonly header: ListHeader;
  readonly gzip: boolean;
  /** SHA-256 of the file's bytes as stored (compressed or not), hex. */
  readonly sha256: string;
}

export interface ListFileReader {
  /** Called with the header before any entry; may throw to stop reading (a delta on the wrong base). */
  header(header: ListHeader): void;
  /** Called for each entry line, in order; `lineNumber` counts the header as line 1. */
  entry(line: ListLine, lineNumber: number): void;
  /** Called every 65,536 entries and after the last: entries read of the header's count. */
  progress?(entries: number, count: number): void;
}

/**
 * Reads a list file, gzip-compressed (recognised by its magic bytes, whatever its name) or plain NDJSON, and
 * checks every line and the header's count. Throws DenyListError(BadList) naming the line and what to fix.
 */
export async function readListFile(path: string, reader: ListFileReader): Promise<ListFileFacts> {
  const gzip = await startsWithGzipMagic(path);
  const hash = createHash('sha256');
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  let source: Readable = file;
  if (gzip) {
    source = file.pipe(createGunzip({ chunkSize: 1 << 18 }));
    file.on('data', (chunk) => hash.update(chunk));
    file.on('error', (e) => source.destroy(e));
  }

  const line = new ListLine();
  // Set by take(); an object, so that the compiler does not assume take() never ran.
  const read: { header: ListHeader | null } = { header: null };
  let lineNumber = 0;
  let entries = 0;
  let rest: Buffer | null = null;
  const bad = (what: string, at = lineNumber): never => {
    throw new DenyListError(DenyListProblem.BadList, `${path} line ${at}: ${what}`);
  };
  const tooLong = (): never => bad(`longer than ${MAX_LINE_BYTES} bytes: this is not a deny-list file`, lineNumber + 1);
  const take = (bytes: Buffer, start: number, end: number): void => {
    lineNumber++;
    const header = read.header;
    if (header === null) {
      read.header = parseHeader(bytes.toString('utf8', start, end), path);
      reader.header(read.header);
      return;
    }
    if (end === start) bad('empty line; every line after the header is one entry');
    entries++;
    if (entries > header.count) bad(`more entries than the header's "count" of ${header.count}; the header or the file is wrong`);
    const problem = line.read(bytes, start, end);
    if (problem !== null) bad(`${problem}. An entry is {"op":"add"|"remove","card":"<digits>","reason":"…","action":"reject"|"block"}`);
    reader.entry(line, lineNumber);
    if (entries % PROGRESS_EVERY === 0) reader.progress?.(entries, header.count);
  };

  try {
    for await (const data of source) {
      const chunk = data as Buffer;
      if (!gzip) hash.update(chunk);
      let start = 0;
      if (rest !== null) {
        const nl = chunk.indexOf(NEWLINE);
        const joined: Buffer = Buffer.concat([rest, nl < 0 ? chunk : chunk.subarray(0, nl)]);
        if (joined.length > MAX_LINE_BYTES) tooLong();
        if (nl < 0) {
          rest = joined;
          continue;
        }
        take(joined, 0, joined.length);
        rest = null;
        start = nl + 1;
      }
      for (;;) {
        const nl = chunk.indexOf(NEWLINE, start);
        if (nl < 0) break;
        take(chunk, start, nl);
        start = nl + 1;
      }
      if (start < chunk.length) {
        rest = Buffer.from(chunk.subarray(start));
        if (rest.length > MAX_LINE_BYTES) tooLong();
      }
    }
  } catch (e) {
    source.destroy();
    file.destroy();
    throw readError(e, path, gzip, lineNumber);
  }
  if (rest !== null) take(rest, 0, rest.length);
  const header = read.header;
  if (header === null) throw new DenyListError(DenyListProblem.BadList, `${path} is empty: a list starts with its header line`);
  const count = header.count;
  if (entries !== count) {
    throw new DenyListError(
      DenyListProblem.BadList,
      `${path}: the header's "count" is ${count} but the file has ${entries} entries: a truncated or damaged file? fetch it again`,
    );
  }
  reader.progress?.(entries, count);
  return { path, header, gzip, sha256: hash.digest('hex') };
}

async function startsWithGzipMagic(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw new DenyListError(DenyListProblem.Unreadable, `cannot read the list ${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    const magic = Buffer.alloc(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    return bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** zlib's and the file system's errors say what they mean for the list; what the callbacks threw passes. */
function readError(e: unknown, path: string, gzip: boolean, lineNumber: number): unknown {
  if (e instanceof ValidatorError || !(e instanceof Error)) return e;
  const code = (e as NodeJS.ErrnoException).code;
  if (typeof code !== 'string') return e;
  if (gzip && code.startsWith('Z_')) {
    return new DenyListError(
      DenyListProblem.BadList,
      `${path} is not a complete gzip stream after line ${lineNumber} (${e.message}): a truncated download? fetch it again`,
      { cause: e },
    );
  }
  return new DenyListError(DenyListProblem.Unreadable, `cannot read the list ${path}: ${e.message}`, { cause: e });
}
