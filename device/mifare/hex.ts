/** Bytes as spaced uppercase hex ("FF B0 00 04 10"), the way APDU traces are read. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex').toUpperCase().replace(/(..)(?!$)/g, '$1 ');
}

/** Parses hex with or without spaces ("FF B0 00", "ffb000"); throws RangeError on anything else. */
export function fromHex(text: string): Buffer {
  const compact = text.replace(/\s+/g, '');
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(compact)) throw new RangeError(`not hex bytes: "${text}"`);
  return Buffer.from(compact, 'hex');
}
