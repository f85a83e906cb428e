/**
 * The depot export file (docs/sync-protocol.md, "Depot export"): NDJSON. Line 1 a header
 * {"format":"qom-export/1","deviceId","fromSeq","toSeq","count","createdAt"}, then one tap record a line
 * (the wire format), then a last line {"signature": base64}: the device key's Ed25519 signature over
 * "qom-export/1\n" + lowercase hex SHA-256 of every byte before that last line.
 */
import { createHash, sign, verify, type KeyObject } from 'node:crypto';

export const EXPORT_FORMAT = 'qom-export/1';

export interface ExportHeader {
  readonly format: typeof EXPORT_FORMAT;
  readonly deviceId: string;
  readonly fromSeq: number;
  readonly toSeq: number;
  readonly count: number;
  readonly createdAt: string;
}

/** What is signed: the format tag and the body's digest (so that the body can be hashed as it streams). */
function signedText(bodySha256Hex: string): Buffer {
  return Buffer.from(`${EXPORT_FORMAT}\n${bodySha256Hex}`);
}

export function signExport(privateKey: KeyObject, bodySha256Hex: string): string {
  return sign(null, signedText(bodySha256Hex), privateKey).toString('base64');
}

/** Splits a whole export file into header, record lines and a checked signature; throws saying what is wrong. */
export function openExport(bytes: Buffer, deviceKey: (deviceId: string) => KeyObject | null): { header: ExportHeader; lines: string[] } {
  const end = bytes.lastIndexOf('\n{"signature":');
  if (end < 0) throw new Error('no signature line: the file is truncated or not a depot export');
  const body = bytes.subarray(0, end + 1);
  const signature = (JSON.parse(bytes.subarray(end + 1).toString('utf8')) as { signature?: unknown }).signature;
  const lines = body.toString('utf8').split('\n');
  lines.pop();
  const header = JSON.parse(lines.shift() ?? '') as ExportHeader;
  const format: unknown = header.format;
  if (format !== EXPORT_FORMAT) throw new Error(`format ${JSON.stringify(format)}, expected ${EXPORT_FORMAT}`);
  const key = deviceKey(header.deviceId);
  if (key === null) throw new Error(`device ${header.deviceId} is not enrolled with this receiver: its key is needed to check the export`);
  const sig = typeof signature === 'string' ? Buffer.from(signature, 'base64') : Buffer.alloc(0);
  const digest = createHash('sha256').update(body).digest('hex');
  if (sig.length !== 64 || !verify(null, signedText(digest), key, sig)) throw new Error(`the signature does not verify with ${header.deviceId}'s enrolled key: the file was altered or comes from another device`);
  if (lines.length !== header.count) throw new Error(`the header says ${header.count} records, the file holds ${lines.length}`);
  return { header, lines };
}
