/** The canonical encoding of a tap record and its hash; docs/journal-format.md is the byte-level spec. */
import { hash } from 'node:crypto';
import type { Position, TapFields } from './types.ts';

/** First element of every encoded record: a new encoding gets a new tag, never a silent change. */
export const FORMAT_TAG = 'qom-tap/1';

/** The prevHash of the first record of a device. */
export const GENESIS_HASH = '0'.repeat(64);

const E7 = 10_000_000;

/** Degrees to integer degrees × 10⁷, rounded half away from zero (1.1 cm resolution). */
export function toE7(degrees: number): number {
  const scaled = degrees * E7;
  // `|| 0` turns -0 into 0, so that the stored integer and its decimal string agree.
  return (Math.sign(scaled) * Math.round(Math.abs(scaled))) || 0;
}

/** Integer degrees × 10⁷ back to degrees. */
export function fromE7(e7: number): number {
  return e7 / E7;
}

/** The position the journal keeps: each coordinate quantized to 7 decimals. */
export function quantizePosition(position: Position | null): Position | null {
  return position === null ? null : { lat: fromE7(toE7(position.lat)), lon: fromE7(toE7(position.lon)) };
}

/**
 * An E7 integer as a decimal string with exactly 7 fraction digits ("34.6401000", "-0.0000005").
 * Made from the integer, not with toFixed on a double, so that no binary rounding is involved.
 */
export function formatE7(e7: number): string {
  const digits = String(Math.abs(e7)).padStart(8, '0');
  const sign = e7 < 0 ? '-' : '';
  return `${sign}${digits.slice(0, -7)}.${digits.slice(-7)}`;
}

/** The UTF-8 JSON text that is hashed: a fixed-order array, integers only, coordinates as strings. */
export function canonicalEncoding(seq: number, prevHash: string, tap: TapFields): string {
  const pos = tap.position;
  return JSON.stringify([
    FORMAT_TAG,
    seq,
    prevHash,
    tap.id,
    tap.time,
    tap.utcOffsetMinutes,
    tap.device,
    tap.reader,
    tap.cardUid,
    tap.cardNumber,
    tap.cardCounter,
    tap.category,
    tap.result,
    tap.reason,
    tap.fare,
    tap.balanceBefore,
    tap.balanceAfter,
    tap.transfer,
    tap.route,
    tap.vehicle,
    tap.stop,
    pos === null ? null : formatE7(toE7(pos.lat)),
    pos === null ? null : formatE7(toE7(pos.lon)),
    tap.denyListVersion,
    tap.faresVersion,
    tap.intentId,
  ]);
}

/** Lowercase hex SHA-256 of the canonical encoding (UTF-8). */
export function tapHash(seq: number, prevHash: string, tap: TapFields): string {
  // The one-shot hash() skips creating a Hash object: measurably cheaper on the tap path (docs/performance.md).
  return hash('sha256', canonicalEncoding(seq, prevHash, tap), 'hex');
}
