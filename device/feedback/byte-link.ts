/** A byte stream to a device: a serial port, or an in-process wire in simulation. */
export interface ByteLink {
  /** Queues bytes for sending; rejects when the link is gone. */
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export interface LinkHandlers {
  onData(bytes: Buffer): void;
  /** The link went away by itself (cable pulled, pty gone), not by close(); called once. */
  onLost(error: Error): void;
}

/** Opens the link; rejects when it cannot (no such port, permission). The driver calls it again to reconnect. */
export type OpenLink = (handlers: LinkHandlers) => Promise<ByteLink>;
