import { SerialPort } from 'serialport';
import type { ByteLink, OpenLink } from './byte-link.ts';

/** A serial port as a ByteLink (8N1, no flow control): the real feedback unit's cable, or a socat pseudo-terminal. */
export function serialLink(path: string, baudRate: number): OpenLink {
  return async (handlers) => {
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    let closing = false;
    port.on('data', (chunk: Buffer) => handlers.onData(chunk));
    // An error without a close (a failed write) leaves the port usable; the driver times the command out.
    port.on('error', () => undefined);
    port.on('close', (e: Error | null) => {
      if (!closing) handlers.onLost(e ?? new Error(`serial port ${path} closed`));
    });
    const link: ByteLink = {
      write: (bytes) =>
        new Promise<void>((resolve, reject) => {
          port.write(Buffer.from(bytes), (e) => (e ? reject(e) : resolve()));
        }),
      close: async () => {
        closing = true;
        if (!port.isOpen) return;
        await new Promise<void>((resolve) => port.close(() => resolve()));
      },
    };
    return link;
  };
}
