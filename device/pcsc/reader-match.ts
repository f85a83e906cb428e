/** A configured reader: the door's id and the pattern that picks its PC/SC reader by name. */
export interface PcscReaderConfig {
  readonly id: string;
  readonly pattern: RegExp;
}

/** Which configured readers a PC/SC reader name matches, in configuration order: the first one takes it. */
export function readersMatching<T extends PcscReaderConfig>(name: string, readers: readonly T[]): T[] {
  // search() ignores lastIndex, so a /g or /y pattern matches the same way every time.
  return readers.filter((r) => name.search(r.pattern) !== -1);
}

/** The problem with a reader list, or null: ids must be present and unique. */
export function readerConfigProblem(readers: readonly PcscReaderConfig[]): string | null {
  if (readers.length === 0) return 'no readers configured: give at least one { id, pattern }';
  const seen = new Set<string>();
  for (const r of readers) {
    if (r.id.length === 0) return 'a reader has an empty id';
    if (seen.has(r.id)) return `reader id "${r.id}" is configured twice; each door needs its own id`;
    seen.add(r.id);
  }
  return null;
}

/** The log and status text for a PC/SC reader that more than one configured reader matches. */
export function ambiguityProblem(name: string, matches: readonly PcscReaderConfig[]): string {
  const [first, ...rest] = matches;
  const list = matches.map((m) => `${m.id} ${String(m.pattern)}`).join(', ');
  return (
    `PC/SC reader "${name}" matches ${matches.length} configured readers (${list}); ${first?.id} takes it and ` +
    `${rest.map((m) => m.id).join(', ')} cannot use it: make the reader name patterns in the config match one reader each`
  );
}
