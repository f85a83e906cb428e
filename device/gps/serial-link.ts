import { SerialPort } from 'serialport';

/** The part of a serial port the GPS reader uses: it only ever reads. */
export interface SerialLink {
  open(callback: (error: Error | null) => void): void;
  close(callback: (error: Error | null) => void): void;
  readonly isOpen: boolean;
  on(event: 'data', listener: (chunk: Buffer) => void): this;
  on(event: 'close', listener: (error?: Error | null) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  removeAllListeners(): this;
}

/** Makes a link that is not open yet; tests inject the serialport mock or a socat pseudo-terminal. */
export type SerialLinkFactory = (path: string, baudRate: number) => SerialLink;

/** The real port through serialport's native binding. */
export const serialPortLink: SerialLinkFactory = (path, baudRate) => new SerialPort({ path, baudRate, autoOpen: false });
