/** What the tap journal stores. Field meanings and the hash encoding are in docs/journal-format.md. */

export type TapResult = 'accepted' | 'rejected' | 'unresolved';

export interface Position {
  readonly lat: number;
  readonly lon: number;
}

/** One tap as the pipeline hands it to the journal; seq and hashes are the journal's. */
export interface TapFields {
  /** UUID of the tap. */
  readonly id: string;
  /** Epoch milliseconds, UTC. */
  readonly time: number;
  /** Local offset from UTC at `time`, minutes (Asia/Tehran: 210). */
  readonly utcOffsetMinutes: number;
  readonly device: string;
  readonly reader: string;
  readonly cardUid: string;
  readonly cardNumber: string | null;
  /** The card's transaction counter after this tap (before it, when nothing was written). */
  readonly cardCounter: number | null;
  readonly category: string | null;
  readonly result: TapResult;
  /** A Reason code. */
  readonly reason: string;
  /** Rials charged. */
  readonly fare: number;
  readonly balanceBefore: number | null;
  readonly balanceAfter: number | null;
  readonly transfer: boolean;
  readonly route: string | null;
  readonly vehicle: string;
  readonly stop: string | null;
  readonly position: Position | null;
  readonly denyListVersion: string;
  readonly faresVersion: string;
  /** The debit intent this record resolves, if any. */
  readonly intentId: string | null;
}

/** A journaled tap. */
export interface TapRecord extends TapFields {
  /** Per device, from 1, strictly increasing without gaps. */
  readonly seq: number;
  /** Lowercase hex SHA-256 of the previous record (64 zeros before the first). */
  readonly prevHash: string;
  /** Lowercase hex SHA-256 over prevHash and this record's canonical encoding. */
  readonly hash: string;
}

/** A journaled tap as its JSON text (JSON.stringify of its TapRecord, field for field), with its seq. */
export interface WireRecord {
  readonly seq: number;
  readonly json: string;
}

/** A debit about to be written to a card, journaled durably before the write. */
export interface DebitIntent {
  /** UUID of the intent. */
  readonly id: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly cardUid: string;
  readonly counterBefore: number;
  readonly counterAfter: number;
  /** The record to journal if the debit is found on the card (result "accepted", intentId = id). */
  readonly tap: TapFields;
}

/** The journal's position: the last tap journaled and the last the backend acknowledged. */
export interface SyncPosition {
  readonly lastSeq: number;
  readonly syncedThrough: number;
}

export interface JournalStats extends SyncPosition {
  readonly path: string;
  readonly lastHash: string;
  readonly records: number;
  readonly openIntents: number;
  readonly sizeBytes: number;
  readonly freeBytes: number;
  readonly schemaVersion: number;
}

export interface VerifyReport {
  readonly ok: boolean;
  /** Each problem found, in words: integrity_check lines, a seq gap, a broken link. */
  readonly problems: readonly string[];
  readonly records: number;
}

/** The durable record of taps. Every method commits before it returns, or throws a ValidatorError. */
export interface TapJournal {
  /** Appends one tap (no card write involved). */
  append(tap: TapFields): TapRecord;
  /** Records a debit's intent before the card is written. */
  beginDebit(intent: DebitIntent): void;
  /** Closes an open intent with its outcome record, in one transaction. */
  resolveDebit(intentId: string, outcome: TapFields): TapRecord;
  /** Open intents, oldest first. */
  openDebits(): DebitIntent[];
  openDebitFor(cardUid: string): DebitIntent | undefined;
  /** Records with seq > sinceSeq, ascending, at most `limit`. */
  list(sinceSeq: number, limit: number): TapRecord[];
  /** The same records as list(), each as its JSON text: what sync sends, without the objects. */
  listJson(sinceSeq: number, limit: number): WireRecord[];
  /** Throws ValidatorError(JournalUnavailable) when a debit could not be recorded (disk low, unwritable). */
  assertWritable(): void;
  stats(): JournalStats;
  /** lastSeq and syncedThrough only: two indexed reads, for callers that poll (stats() also counts and statfs's). */
  syncPosition(): SyncPosition;
  verify(): VerifyReport;
  close(): void;
}
