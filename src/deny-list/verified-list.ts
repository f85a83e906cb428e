declare const verified: unique symbol;

/**
 * A list file whose origin has been checked: the only input the importer takes. Today lists come from the
 * depot by hand (`validator denylist import`), unsigned. The sync issue adds the one other way to make one:
 * check the backend's Ed25519 signature over the file's SHA-256 and return it only when that holds.
 */
export interface VerifiedListFile {
  readonly path: string;
  readonly [verified]: true;
}

/** A file the operator vouches for (depot CLI, tests, simulation): no signature is checked. */
export function depotListFile(path: string): VerifiedListFile {
  return { path } as VerifiedListFile;
}
