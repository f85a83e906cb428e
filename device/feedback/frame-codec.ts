import { crc16 } from './crc16.ts';

/**
 * The feedback unit's framing (docs/feedback-protocol.md): SOF, LEN (u16 BE, of SEQ+CMD+PAYLOAD),
 * SEQ, CMD, PAYLOAD, CRC-16/CCITT-FALSE (u16 BE) over LEN..PAYLOAD. No byte stuffing: a receiver
 * resynchronizes by dropping one byte at a time until a frame's length and CRC hold.
 */
export const SOF = 0xa5;
/** SEQ + CMD + PAYLOAD at most; a longer LEN is noise. */
export const MAX_BODY = 512;
/** SOF + LEN + CRC around the body. */
export const FRAME_OVERHEAD = 5;

export interface Frame {
  readonly seq: number;
  readonly command: number;
  readonly payload: Uint8Array;
}

/** One frame's bytes; throws RangeError when the frame cannot be framed (programming error). */
export function encodeFrame(frame: Frame): Buffer {
  const body = 2 + frame.payload.length;
  if (body > MAX_BODY) throw new RangeError(`feedback frame body of ${body} bytes exceeds ${MAX_BODY}`);
  if (!isByte(frame.seq) || !isByte(frame.command)) throw new RangeError('feedback frame seq and command are bytes');
  const out = Buffer.alloc(FRAME_OVERHEAD + body);
  out[0] = SOF;
  out.writeUInt16BE(body, 1);
  out[3] = frame.seq;
  out[4] = frame.command;
  out.set(frame.payload, 5);
  out.writeUInt16BE(crc16(out, 1, 3 + body), 3 + body);
  return out;
}

/** Bytes in, whole frames out; keeps a partial frame until the rest arrives, skips noise and bad frames. */
export class FrameDecoder {
  private buffer: Buffer = Buffer.alloc(0);
  /** Bytes thrown away while resynchronizing (noise, bad length, bad CRC). */
  discarded = 0;
  /** Frames whose CRC failed. */
  badFrames = 0;

  /** Adds received bytes; returns every frame now complete, in order. */
  push(chunk: Uint8Array): Frame[] {
    this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
    return this.drain();
  }

  /** True while a frame has started but not finished (the caller times out a stalled one). */
  get pending(): boolean {
    return this.buffer.length > 0;
  }

  /**
   * Gives up on a frame that stopped arriving (its tail was lost): drops its start byte and parses
   * what followed, since a real frame may have begun inside the broken one.
   */
  abandonPartial(): Frame[] {
    if (this.buffer.length === 0) return [];
    this.skip(1);
    return this.drain();
  }

  private drain(): Frame[] {
    const frames: Frame[] = [];
    for (;;) {
      const start = this.buffer.indexOf(SOF);
      if (start < 0) {
        this.skip(this.buffer.length);
        return frames;
      }
      this.skip(start);
      if (this.buffer.length < 3) return frames;
      const body = this.buffer.readUInt16BE(1);
      if (body < 2 || body > MAX_BODY) {
        this.skip(1);
        continue;
      }
      const total = FRAME_OVERHEAD + body;
      if (this.buffer.length < total) return frames;
      if (crc16(this.buffer, 1, 3 + body) !== this.buffer.readUInt16BE(3 + body)) {
        this.badFrames += 1;
        this.skip(1);
        continue;
      }
      frames.push({ seq: this.buffer[3]!, command: this.buffer[4]!, payload: Uint8Array.from(this.buffer.subarray(5, 3 + body)) });
      this.buffer = this.buffer.subarray(total);
    }
  }

  private skip(n: number): void {
    this.discarded += n;
    this.buffer = this.buffer.subarray(n);
  }
}

function isByte(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 0xff;
}
