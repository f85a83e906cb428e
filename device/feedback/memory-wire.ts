import type { LinkHandlers, OpenLink } from './byte-link.ts';

/**
 * Two ends of an in-process cable: bytes written at one end arrive at the other on a later turn of the
 * event loop, as from a serial port. The demo joins the real driver and the unit simulator with it.
 */
export function memoryWire(): { readonly host: OpenLink; readonly unit: OpenLink } {
  const ends: (LinkHandlers | null)[] = [null, null];
  const end =
    (me: 0 | 1): OpenLink =>
    (handlers) => {
      ends[me] = handlers;
      return Promise.resolve({
        write: (bytes) => {
          const copy = Buffer.from(bytes);
          setImmediate(() => ends[1 - me]?.onData(copy));
          return Promise.resolve();
        },
        close: () => {
          ends[me] = null;
          return Promise.resolve();
        },
      });
    };
  return { host: end(0), unit: end(1) };
}
