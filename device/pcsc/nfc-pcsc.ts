import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';

/**
 * The part of nfc-pcsc 0.8 this adapter uses, typed (the package ships no types). Events of a reader:
 * 'card' (after nfc-pcsc connected to it), 'card.off', 'error', 'end' (the reader is gone, or pcscd).
 */
export interface NfcReader extends EventEmitter {
  readonly name: string;
  /** False: nfc-pcsc only connects and emits 'card'; we read the UID ourselves. */
  autoProcessing: boolean;
  /** Throws at once when no card is connected; rejects with nfc-pcsc's TransmitError. */
  transmit(data: Buffer, responseMaxLength: number): Promise<Buffer>;
  /** Stops the reader's status thread. Never call it inside one of the reader's own events. */
  close(): void;
}

/** nfc-pcsc's NFC: 'reader' for each PC/SC reader, 'error' when the connection to pcscd has died. */
export interface Nfc extends EventEmitter {
  close(): void;
}

/** Makes the one NFC object; injected so that tests can count and inspect rebuilds. */
export type NfcFactory = () => Nfc;

/**
 * nfc-pcsc itself, loaded on first use so that a validator running in simulation never loads the native
 * PC/SC binding. The constructor spins until pcscd answers: call it only once pcscd's socket accepts.
 */
export const createNfc: NfcFactory = () => {
  const { NFC } = createRequire(import.meta.url)('nfc-pcsc') as { NFC: new () => Nfc };
  return new NFC();
};
