import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { ByteLink } from '../../../device/feedback/byte-link.ts';
import { Command, decodeStatus, encodeShow } from '../../../device/feedback/feedback-messages.ts';
import { FeedbackUnitSimulator } from '../../../device/feedback/feedback-unit-simulator.ts';
import { encodeFrame, FrameDecoder, type Frame } from '../../../device/feedback/frame-codec.ts';
import { memoryWire } from '../../../device/feedback/memory-wire.ts';

let unit: FeedbackUnitSimulator;
afterEach(async () => {
  await unit.close();
});

/** The unit simulator with raw frames on the host end of an in-process wire. */
async function rawHost(): Promise<{ send: (frame: Frame) => Promise<Frame[]>; sendBytes: (bytes: Uint8Array) => Promise<Frame[]>; heard: Frame[] }> {
  const wire = memoryWire();
  const decoder = new FrameDecoder();
  const heard: Frame[] = [];
  const link: ByteLink = await wire.host({ onData: (bytes) => heard.push(...decoder.push(bytes)), onLost: () => undefined });
  unit = new FeedbackUnitSimulator(wire.unit);
  await unit.start();
  await sleep(5);
  const sendBytes = async (bytes: Uint8Array): Promise<Frame[]> => {
    const before = heard.length;
    await link.write(bytes);
    await sleep(5);
    return heard.slice(before);
  };
  return { heard, sendBytes, send: (frame) => sendBytes(encodeFrame(frame)) };
}

const show = (seq: number, line1: string): Frame => ({ seq, command: Command.Show, payload: encodeShow({ line1, line2: '', rtl1: false, rtl2: false }) });

describe('the feedback unit simulator, to the letter of docs/feedback-protocol.md', () => {
  it('says HELLO at power-up with SEQ 0 and its firmware, and starts blank', async () => {
    const host = await rawHost();
    expect(host.heard).toEqual([{ seq: 0, command: Command.Hello, payload: Uint8Array.from(Buffer.from('SIM-1.0')) }]);
    expect(unit.screen).toMatchObject({ line1: '', led: 'off', screenSet: false });
  });

  it('acks a repeated SEQ without carrying it out again, until a STATUS makes it forget', async () => {
    const host = await rawHost();
    expect(await host.send(show(7, 'one'))).toEqual([{ seq: 7, command: Command.Ack, payload: new Uint8Array(0) }]);
    expect(await host.send(show(7, 'two'))).toEqual([{ seq: 7, command: Command.Ack, payload: new Uint8Array(0) }]);
    expect([unit.screen.line1, unit.executed]).toEqual(['one', 1]);
    const [report] = await host.send({ seq: 8, command: Command.Status, payload: new Uint8Array(0) });
    expect(report?.command).toBe(Command.StatusReport);
    expect(decodeStatus(report?.payload ?? new Uint8Array(0))).toMatchObject({ screenSet: true, led: 'off', firmware: 'SIM-1.0' });
    await host.send(show(7, 'three'));
    expect(unit.screen.line1).toBe('three');
  });

  it('NAKs a bad payload and an unknown command, and ignores a frame with a bad CRC', async () => {
    const host = await rawHost();
    expect(await host.send({ seq: 1, command: Command.Led, payload: Uint8Array.of(9) })).toEqual([{ seq: 1, command: Command.Nak, payload: Uint8Array.of(2) }]);
    expect(await host.send({ seq: 2, command: 0x42, payload: new Uint8Array(0) })).toEqual([{ seq: 2, command: Command.Nak, payload: Uint8Array.of(1) }]);
    const corrupt = encodeFrame(show(3, 'x'));
    corrupt.writeUInt8(corrupt.readUInt8(corrupt.length - 1) ^ 0xff, corrupt.length - 1);
    expect(await host.sendBytes(corrupt)).toEqual([]);
    expect(unit.screen.line1).toBe('');
    // The stalled partial frame is given up after 50 ms; the next good frame is carried out.
    expect(await host.sendBytes(encodeFrame(show(4, 'after')).subarray(0, 6))).toEqual([]);
    await sleep(80);
    expect(await host.send(show(5, 'good'))).toEqual([{ seq: 5, command: Command.Ack, payload: new Uint8Array(0) }]);
    expect(unit.screen.line1).toBe('good');
  });
});
