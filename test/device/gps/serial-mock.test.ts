import { SerialPortMock } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import type { SerialLink } from '../../../device/gps/serial-link.ts';
import { fixture, readingWith, testSource } from './helpers.ts';
import { replayNmea } from '../../../device/gps/replay-nmea.ts';

// ESM: the mock binding is SerialPortMock.binding (importing @serialport/binding-mock would be a second copy).
const binding = SerialPortMock.binding;

afterEach(() => binding.reset());

/** The source on serialport's mock binding, and the mock port to push bytes into once open. */
function onMock(path: string): { source: ReturnType<typeof testSource>; links: SerialPortMock[] } {
  binding.createPort(path, { echo: false, record: false });
  const links: SerialPortMock[] = [];
  const source = testSource(path, {
    link: (p, baudRate): SerialLink => {
      const link = new SerialPortMock({ path: p, baudRate, autoOpen: false });
      links.push(link);
      return link;
    },
  });
  return { source, links };
}

describe('serial GPS on serialport\'s mock binding', () => {
  it('a recording cut into arbitrary chunks (as a UART delivers it) gives the same fixes as line by line', async () => {
    const { source, links } = onMock('/dev/gps-mock');
    try {
      await readingWith(source.readings$, 'no-fix');
      const text = fixture('bu353s4.log');
      const fixes: (number | null)[] = [];
      source.sentences$.subscribe((e) => fixes.push(e.reading.fix?.time ?? null));
      const body = text.split('\n').filter((l) => !l.startsWith('#')).join('\n');
      for (let i = 0; i < body.length; i += 7) links[0]?.port?.emitData(Buffer.from(body.slice(i, i + 7), 'latin1'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const expected = [...replayNmea(text)].map((s) => (s.fix.position === null ? null : s.fix.time));
      expect(fixes).toEqual(expected);
      expect(source.current().status).toBe('fix');
    } finally {
      await source.close();
    }
  });

  it('endless bytes without a line end are dropped, not kept', async () => {
    const { source, links } = onMock('/dev/gps-noise');
    try {
      await readingWith(source.readings$, 'no-fix');
      const events: string[] = [];
      source.sentences$.subscribe((e) => events.push(e.sentence));
      for (let i = 0; i < 100; i++) links[0]?.port?.emitData(Buffer.alloc(1000, 0x55));
      links[0]?.port?.emitData(Buffer.from('\r\n$GPRMC,030719.000,A,3747.0873,S,17518.8938,E,0.69,181.39,311214,,,A*7D\r\n', 'latin1'));
      await readingWith(source.readings$, 'fix');
      // However the mock hands the bytes over, the 100 kB run never reaches the tracker as a line.
      expect(events.at(-1)).toBe('$GPRMC,030719.000,A,3747.0873,S,17518.8938,E,0.69,181.39,311214,,,A*7D');
      expect(events.every((e) => e.length <= 512)).toBe(true);
    } finally {
      await source.close();
    }
  });
});
