import { z } from 'zod';
import { readerNameProblem } from './reader-name.ts';

/**
 * The one source of the configuration's types and defaults. Every setting takes effect at start:
 * changing one needs a restart (the daemon reads the file once), except device.vehicle and device.route,
 * which `validator assign` changes in the file and in the running daemon.
 */

const id = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" and "-" only');

/** The device's, the vehicle's, a route's, a stop's and a door's ids: journaled, and written onto cards. */
export const idSchema = id;

const rials = z.number().int().nonnegative();

export const readerSchema = z
  .object({
    /** The door this reader serves; journaled with each tap. */
    id,
    /** Case-insensitive substring or /regex/ of the PC/SC reader name (real hardware only): readerNamePattern(). */
    name: z
      .string()
      .min(1)
      .default('Virtual PCD')
      .superRefine((name, ctx) => {
        const problem = readerNameProblem(name);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    /**
     * The door's passenger feedback unit on a serial port (docs/feedback-protocol.md), real hardware only.
     * null: none connected (the door's screen is kept in memory and logged).
     */
    feedback: z
      .object({
        /** The serial device: /dev/qom-feedback-<door>, the name systemd/99-qom-validator.rules gives the door's unit (docs/systemd.md). */
        port: z.string().min(1),
        baudRate: z.number().int().min(9600).max(921_600).default(115_200),
      })
      .strict()
      .nullable()
      .default(null),
  })
  .strict();

export const configSchema = z
  .object({
    device: z
      .object({
        id: id.default('QOM-DEV-0001'),
        vehicle: id.default('BUS-0001'),
        /** The route the bus runs today; `validator assign` changes it. */
        route: id.nullable().default('12'),
        /** Fixed stop, until GPS supplies the current one. */
        stop: id.nullable().default(null),
      })
      .strict()
      .prefault({}),
    network: z
      .object({
        /** For expiry dates and the local offset journaled with each tap. */
        timeZone: z.string().default('Asia/Tehran'),
      })
      .strict()
      .prefault({}),
    tap: z
      .object({
        /** From card detection to feedback. */
        budgetMs: z.number().int().min(50).max(5000).default(300),
        /** One APDU exchange at most this long. */
        exchangeTimeoutMs: z.number().int().min(10).max(2000).default(150),
        /** A card presented again this soon after a debit was interrupted completes that debit, not a new one. */
        resumeWindowSeconds: z.number().int().min(0).max(3600).default(120),
        /** An open debit whose card has not come back after this long is journaled as unresolved for the backend. */
        unresolvedAfterHours: z.number().min(0.01).max(24 * 30).default(24),
      })
      .strict()
      .prefault({}),
    fares: z
      .object({
        /**
         * The GTFS-Fares v2 bundle directory (docs/fares.md). null: the state directory's fares/ when the
         * backend has put one there, else, in simulation only, the sample Qom bundle of this checkout.
         */
        bundle: z.string().min(1).nullable().default(null),
        /** The same card on the same vehicle within this window is "already paid". */
        repeatWindowSeconds: z.number().int().min(0).max(600).default(10),
        /** How far below zero a balance may go, rials. */
        negativeAllowance: rials.default(0),
      })
      .strict()
      .prefault({}),
    journal: z
      .object({
        /** Synced taps are kept at least this long. */
        retentionDays: z.number().int().min(1).max(3650).default(90),
        /** Below this much free disk the validator stops debiting ("out of service"). */
        minFreeMiB: z.number().int().min(1).default(16),
        /** Synced taps past retention are pruned only when free disk falls below this. */
        pruneWhenFreeBelowMiB: z.number().int().min(1).default(512),
      })
      .strict()
      .prefault({}),
    sync: z
      .object({
        /**
         * The backend (docs/sync-protocol.md): https, or http to loopback only. null: the URL the device was
         * enrolled with (validator enroll), and no sync at all while it is not enrolled.
         */
        backendUrl: z.string().url().nullable().default(null),
        /** The device's Ed25519 private key (PEM, mode 0600). null: device-key.pem in the state directory. */
        keyFile: z.string().min(1).nullable().default(null),
        /** Taps per upload request. */
        batchSize: z.number().int().min(1).max(2000).default(500),
        /** Between rounds while all goes well. */
        intervalSeconds: z.number().min(0.1).max(3600).default(30),
        /** Heartbeats at most this often. */
        heartbeatSeconds: z.number().min(1).max(86_400).default(60),
        /** First wait after a failed round; doubles (with jitter) per failure up to backoffMaxSeconds. */
        backoffBaseSeconds: z.number().min(0.05).max(600).default(2),
        backoffMaxSeconds: z.number().min(1).max(86_400).default(300),
        /** One request at most this long (a full deny list may take a while on a slow link). */
        requestTimeoutSeconds: z.number().min(1).max(3600).default(60),
      })
      .strict()
      .prefault({}),
    readers: z
      .array(readerSchema)
      .min(1)
      .default([
        { id: 'front', name: 'Virtual PCD 00 00', feedback: null },
        { id: 'rear', name: 'Virtual PCD 00 01', feedback: null },
      ])
      .refine((list) => new Set(list.map((r) => r.id)).size === list.length, 'reader ids must be unique'),
    keys: z
      .object({
        /**
         * The key file with the card master keys (JSON, mode 0600, owned by the daemon's user; format in
         * docs/card-layout.md). Real readers need it; null in simulation means the development key file the
         * simulation generates in the state directory.
         */
        file: z.string().min(1).nullable().default(null),
      })
      .strict()
      .prefault({}),
    display: z
      .object({
        /**
         * Amounts on the passenger display; money itself stays integer rials. 'new-rial' is for after the
         * redenomination (1 new rial = 10,000 rials), shown to two decimals (src/feedback/money-format.ts).
         */
        moneyUnit: z.enum(['rial', 'toman', 'new-rial']).default('toman'),
        /** Below this balance (rials) an accepted tap also says "low balance": two 1404 adult fares. */
        lowBalanceRials: rials.default(74_000),
        /** Seconds a tap's message stays before the welcome screen returns. */
        holdSeconds: z.number().min(0.5).max(30).default(3),
      })
      .strict()
      .prefault({}),
    feedback: z
      .object({
        /** How long the driver waits for a feedback unit's ack before sending the command again. */
        ackTimeoutMs: z.number().int().min(20).max(2000).default(150),
        /** Sends after the first before a unit counts as down. */
        retries: z.number().int().min(0).max(10).default(2),
        /** A STATUS query this often when idle: notices a unit gone silent, or back. */
        probeSeconds: z.number().min(0.2).max(60).default(1),
      })
      .strict()
      .prefault({}),
    gps: z
      .object({
        /**
         * The GPS receiver's serial device (NMEA 0183): /dev/qom-gps, the name systemd/99-qom-validator.rules gives
         * the receiver by its USB serial number rather than the order it was plugged in (docs/systemd.md).
         * null: no receiver, every tap's stop is device.stop.
         */
        port: z.string().min(1).nullable().default(null),
        /** The receiver's rate: NMEA 0183 says 4800, most receivers ship at 9600. */
        baudRate: z
          .number()
          .int()
          .refine((b) => [4800, 9600, 19_200, 38_400, 57_600, 115_200].includes(b), 'one of 4800, 9600, 19200, 38400, 57600, 115200')
          .default(9600),
        /** The nearest stop of the fare bundle within this distance is the current stop. */
        stopRadiusMeters: z.number().min(5).max(500).default(40),
        /** The current stop is kept until the bus is this much farther than the radius, or another stop is this much nearer. */
        stopHysteresisMeters: z.number().min(0).max(200).default(10),
        /** A fix older than this is stale: taps go on without a stop or a position. */
        staleAfterSeconds: z.number().min(1).max(300).default(5),
        /** How often a missing or unplugged receiver is tried again. */
        reconnectSeconds: z.number().min(0.1).max(60).default(1),
        /** In simulation (--simulate): drive along the bundle's stops, stand at the first, or no GPS at all. */
        simulate: z.enum(['route', 'fixed', 'off']).default('route'),
      })
      .strict()
      .prefault({}),
    simulation: z
      .object({
        /** Simulated card round trip per APDU exchange, like a real reader's. */
        exchangeLatencyMs: z.number().int().min(0).max(100).default(3),
      })
      .strict()
      .prefault({}),
    log: z
      .object({
        level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type ReaderConfig = z.infer<typeof readerSchema>;
