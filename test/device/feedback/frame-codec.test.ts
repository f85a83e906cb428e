import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { crc16 } from '../../../device/feedback/crc16.ts';
import { Command, decodeShow, decodeStatus, encodeShow, encodeStatus, isRtl, MAX_LINE_BYTES } from '../../../device/feedback/feedback-messages.ts';
import { encodeFrame, FrameDecoder, MAX_BODY, SOF, type Frame } from '../../../device/feedback/frame-codec.ts';

const show: Frame = { seq: 7, command: Command.Show, payload: encodeShow({ line1: 'سفر بخیر', line2: 'مانده ۴۶٬۳۰۰ تومان', rtl1: true, rtl2: true }) };
const led: Frame = { seq: 8, command: Command.Led, payload: Uint8Array.of(1) };

describe('feedback unit framing', () => {
  it('uses CRC-16/CCITT-FALSE', () => {
    expect(crc16(Buffer.from('123456789'))).toBe(0x29b1);
  });

  it('lays a frame out as SOF, LEN, SEQ, CMD, PAYLOAD, CRC (the bytes of docs/feedback-protocol.md)', () => {
    // LED green, SEQ 8: a5 | 0003 | 08 | 02 | 01 | CRC over 00 03 08 02 01.
    expect(encodeFrame(led).toString('hex')).toBe('a500030802015532');
    expect(crc16(Buffer.from('0003080201', 'hex'))).toBe(0x5532);
    expect(encodeFrame({ seq: 1, command: Command.Status, payload: new Uint8Array(0) })[0]).toBe(SOF);
  });

  it('encodes the example of docs/feedback-protocol.md to the byte', () => {
    const doc = readFileSync(new URL('../../../docs/feedback-protocol.md', import.meta.url), 'utf8');
    const example = /Example, LED green with SEQ 8: `([0-9A-F ]+)`/.exec(doc)?.[1];
    expect(example).toBe(encodeFrame(led).toString('hex').toUpperCase().replace(/(..)(?!$)/g, '$1 '));
  });

  it('round-trips frames, one byte at a time or many frames in one chunk', () => {
    const bytes = Buffer.concat([encodeFrame(show), encodeFrame(led)]);
    const decoder = new FrameDecoder();
    const oneByOne = [...bytes].flatMap((b) => decoder.push(Uint8Array.of(b)));
    expect(oneByOne).toEqual([show, led]);
    expect(new FrameDecoder().push(bytes)).toEqual([show, led]);
  });

  it('keeps a partial frame until the rest arrives', () => {
    const bytes = encodeFrame(show);
    const decoder = new FrameDecoder();
    expect(decoder.push(bytes.subarray(0, 10))).toEqual([]);
    expect(decoder.pending).toBe(true);
    expect(decoder.push(bytes.subarray(10))).toEqual([show]);
    expect(decoder.pending).toBe(false);
  });

  it('skips noise, bad lengths and corrupted frames, and finds the next good frame', () => {
    const corrupted = encodeFrame(show);
    corrupted.writeUInt8(corrupted.readUInt8(12) ^ 0x01, 12);
    const badLength = Buffer.from([SOF, 0xff, 0xff, 0x01]);
    const decoder = new FrameDecoder();
    expect(decoder.push(Buffer.concat([Buffer.from([0x00, 0x13, SOF]), badLength, corrupted, encodeFrame(led)]))).toEqual([led]);
    expect(decoder.badFrames).toBe(1);
    expect(decoder.discarded).toBeGreaterThan(corrupted.length);
  });

  it('finds a frame that began inside a broken one once the broken one is abandoned', () => {
    // A frame whose tail was lost: its LEN swallows the next frame, so only abandoning it recovers that one.
    const cut = encodeFrame(show).subarray(0, 20);
    const decoder = new FrameDecoder();
    expect(decoder.push(Buffer.concat([cut, encodeFrame(led)]))).toEqual([]);
    expect(decoder.abandonPartial()).toEqual([led]);
  });

  it('refuses to frame a body longer than MAX_BODY', () => {
    expect(() => encodeFrame({ seq: 1, command: Command.Show, payload: new Uint8Array(MAX_BODY) })).toThrow(RangeError);
  });
});

describe('feedback unit payloads', () => {
  it('round-trips SHOW with its direction flags, cutting a long line at a character boundary', () => {
    const long = 'ب'.repeat(MAX_LINE_BYTES);
    const decoded = decodeShow(encodeShow({ line1: long, line2: 'Ready: tap card', rtl1: true, rtl2: false }));
    expect(decoded).toEqual({ line1: 'ب'.repeat(MAX_LINE_BYTES / 2), line2: 'Ready: tap card', rtl1: true, rtl2: false });
    const odd = decodeShow(encodeShow({ line1: `x${long}`, line2: '', rtl1: false, rtl2: false }));
    expect(odd?.line1).toBe(`x${'ب'.repeat(MAX_LINE_BYTES / 2 - 1)}`);
  });

  it('refuses malformed SHOW payloads', () => {
    expect(decodeShow(Uint8Array.of(0, 5, 0x41))).toBeNull();
    expect(decodeShow(Uint8Array.of(0, 1, 0xc3, 0))).toBeNull();
    expect(decodeShow(Uint8Array.of(9, 0, 0))).toBeNull();
  });

  it('round-trips STATUS reports', () => {
    const status = { screenSet: true, led: 'amber' as const, uptimeSeconds: 86_400, firmware: 'QF-2.1' };
    expect(decodeStatus(encodeStatus(status))).toEqual(status);
    expect(decodeStatus(Uint8Array.of(1, 9, 0, 0, 0, 0, 0))).toBeNull();
  });

  it('takes the base direction from the first strong character', () => {
    expect(isRtl('سفر بخیر')).toBe(true);
    expect(isRtl('۱۲ سفر')).toBe(true);
    expect(isRtl('OK ۱۲')).toBe(false);
    expect(isRtl('')).toBe(false);
  });
});
