/** What the sync client needs from the validator, as narrow interfaces the composition root fills in. */
import type { TapRecord, WireRecord } from '../../src/journal/types.ts';
import type { DeviceStatus } from '../contract/wire.ts';

/** The journal as sync sees it (TapJournal and SqliteTapJournal fit). */
export interface SyncJournal {
  /** Records with seq > sinceSeq, ascending, at most `limit`. */
  list(sinceSeq: number, limit: number): TapRecord[];
  /** The same records as JSON text: what an upload sends. */
  listJson(sinceSeq: number, limit: number): WireRecord[];
  /** Records the backend's acknowledgement; never moves back. */
  markSynced(throughSeq: number): void;
  /** The last seq written and the last the backend acknowledged: two indexed reads. */
  syncPosition(): { readonly lastSeq: number; readonly syncedThrough: number };
}

/** Where verified lists go. Each rejects (with a message saying why) when the list cannot be applied; the old one stays. */
export interface ListSink {
  denyListVersion(): string;
  /** `body` is the exact signed file; `signature` was checked against the backend key already and is checked again by the deny list. */
  applyDenyList(body: Buffer, signature: string): Promise<string>;
  /** The newest fare bundle version the device holds (in force or still to come). */
  faresVersion(): string;
  /** A fare bundle document whose signature holds; resolves with its version once scheduled. */
  applyFares(body: Buffer): Promise<string>;
}

/** The device's health for the heartbeat, apart from what the sync client knows itself. */
export type HeartbeatSource = () => Omit<DeviceStatus, 'backlog' | 'oldestUnsyncedAgeSeconds' | 'clockErrorMs'>;
