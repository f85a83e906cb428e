/**
 * How a configured reader name picks a PC/SC reader. PC/SC names carry the model, a serial number or a
 * slot index ("ACS ACR1252 Dual Reader [ACR1252 Dual Reader PICC] 00 00"), so the configuration names a
 * part of it:
 *
 *     "ACR1252"          a case-insensitive substring
 *     "/PICC.*00 00$/"   a regular expression between slashes, case-insensitive
 */
export function readerNamePattern(name: string): RegExp {
  const regex = /^\/(.+)\/$/.exec(name);
  if (regex) return new RegExp(regex[1]!, 'i');
  return new RegExp(name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
}

/** Why `name` cannot be a reader name pattern, or null when it can. */
export function readerNameProblem(name: string): string | null {
  try {
    readerNamePattern(name);
    return null;
  } catch (e) {
    return `not a valid /regular expression/ (${(e as Error).message}); write a plain substring of the reader's name, or fix the expression`;
  }
}
