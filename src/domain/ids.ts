import { randomUUID } from 'node:crypto';

/** Randomness is injected, so that tests can make taps with known ids. */
export interface IdSource {
  uuid(): string;
}

export const randomIds: IdSource = { uuid: () => randomUUID() };
