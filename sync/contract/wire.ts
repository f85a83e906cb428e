/** The JSON bodies of contract v1 (docs/sync-protocol.md, sync/openapi.yaml), checked with zod on the way in. */
import { z } from 'zod';
import type { TapRecord } from '../../src/journal/types.ts';

/** Taps per upload unless configured otherwise. */
export const DEFAULT_BATCH_SIZE = 500;
/** A receiver refuses larger batches (413): enough for 2,000 taps of the largest records. */
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** The largest list or bundle a device accepts: a full deny list of 20 million cards, gzip. */
export const MAX_LIST_RESPONSE_BYTES = 512 * 1024 * 1024;

const int = z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);
const hex64 = z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits');
const deviceId = z.string().regex(/^[A-Za-z0-9._-]{1,32}$/, '1 to 32 letters, digits, ".", "_" or "-"');

/** A tap record on the wire: the journal's TapRecord, field for field (docs/journal-format.md). */
export const tapRecordShape = z
  .object({
    seq: int.min(1),
    id: z.string(),
    time: int,
    utcOffsetMinutes: int,
    device: z.string(),
    reader: z.string(),
    cardUid: z.string(),
    cardNumber: z.string().nullable(),
    cardCounter: int.nullable(),
    category: z.string().nullable(),
    result: z.enum(['accepted', 'rejected', 'unresolved']),
    reason: z.string(),
    fare: int,
    balanceBefore: int.nullable(),
    balanceAfter: int.nullable(),
    transfer: z.boolean(),
    route: z.string().nullable(),
    vehicle: z.string(),
    stop: z.string().nullable(),
    position: z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }).strict().nullable(),
    denyListVersion: z.string(),
    faresVersion: z.string(),
    intentId: z.string().nullable(),
    prevHash: hex64,
    hash: hex64,
  })
  .strict();

export const tapBatchShape = z
  .object({
    batchId: z.string().min(1).max(64),
    taps: z.array(tapRecordShape).min(1),
  })
  .strict();

export type TapBatch = { readonly batchId: string; readonly taps: readonly TapRecord[] };

export const enrollRequestShape = z.object({ deviceId, enrollmentCode: z.string().min(1).max(128), publicKey: z.string().min(1) }).strict();
export type EnrollRequest = z.infer<typeof enrollRequestShape>;

export const enrollResponseShape = z.object({ deviceId, backendPublicKey: z.string(), config: z.record(z.string(), z.unknown()) });
export type EnrollResponse = z.infer<typeof enrollResponseShape>;

/** What the device reports in each heartbeat. */
export const deviceStatusShape = z
  .object({
    backlog: int.min(0),
    oldestUnsyncedAgeSeconds: int.min(0).nullable(),
    denyListVersion: z.string(),
    faresVersion: z.string(),
    readers: z.string(),
    gps: z.string(),
    display: z.string(),
    clockErrorMs: int.nullable(),
    freeDiskBytes: int.min(0),
    softwareVersion: z.string(),
  })
  .strict();
export type DeviceStatus = z.infer<typeof deviceStatusShape>;

export const heartbeatShape = z.object({ status: deviceStatusShape }).strict();

/** 200 to an upload. */
export const ackShape = z.object({ ackedThrough: int.min(0) }).strict();
/** 401: what the receiver's clock says. */
export const serverTimeShape = z.object({ serverTime: z.string() });
/** 409: the same seq stored with another hash. */
export const conflictShape = z.object({ conflict: int.min(1) });

/** The paths of contract v1. */
export const paths = {
  enroll: '/v1/enroll',
  taps: (device: string): string => `/v1/devices/${encodeURIComponent(device)}/taps`,
  denylist: (device: string, since: string): string => `/v1/devices/${encodeURIComponent(device)}/denylist?since=${encodeURIComponent(since)}`,
  fares: (device: string, since: string): string => `/v1/devices/${encodeURIComponent(device)}/fares?since=${encodeURIComponent(since)}`,
  heartbeat: (device: string): string => `/v1/devices/${encodeURIComponent(device)}/heartbeat`,
} as const;
