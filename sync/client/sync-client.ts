/**
 * The validator's side of contract v1: uploads the journal's unsynced records in order, pulls signed deny
 * lists and fare bundles, sends heartbeats. Rounds repeat every intervalMs; a failed round waits a backoff
 * with jitter (or Retry-After) and the next one resumes where the acks left off. Memory is one batch,
 * whatever the backlog; every step between awaits is a few milliseconds, so a tap is never kept waiting.
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import type { WireRecord } from '../../src/journal/types.ts';
import type { Logger } from '../../src/log/logger.ts';
import { ackShape, conflictShape, paths } from '../contract/wire.ts';
import { exportUnsynced, type ExportResult } from './export-unsynced.ts';
import { backoffDelay, retryAfterMs, type BackoffSettings } from './backoff.ts';
import { DENY_LIST, describeFailure, FARE_BUNDLE, pullList, type ListPullDeps, type PulledList } from './list-pull.ts';
import type { HeartbeatSource, ListSink, SyncJournal } from './ports.ts';
import { replyError, type SyncTransport, type TransportReply } from './transport.ts';

/** Records per journal read while a batch is gathered. */
const READ_CHUNK = 100;
/** Acks are marked in the journal at most this often during an upload, and at its end. */
const MARK_EVERY_MS = 1_000;

export interface SyncSettings {
  readonly deviceId: string;
  readonly batchSize: number;
  readonly intervalMs: number;
  readonly heartbeatMs: number;
  readonly backoff: BackoffSettings;
}

export interface SyncClientDeps {
  readonly transport: SyncTransport;
  readonly journal: SyncJournal;
  readonly lists: ListSink;
  readonly heartbeat: HeartbeatSource;
  readonly backendKey: KeyObject;
  /** The device key, for depot export files. */
  readonly deviceKey: KeyObject;
  readonly now: () => number;
  readonly random: () => number;
  readonly log: Logger;
  readonly settings: SyncSettings;
}

/** What `validator status` shows about sync. */
export interface SyncState {
  readonly backend: string;
  readonly lastSuccessAt: string | null;
  readonly lastAttemptAt: string | null;
  /** Why the last round failed; null after a success. */
  readonly problem: string | null;
  readonly denyListProblem: string | null;
  readonly faresProblem: string | null;
  readonly clockErrorMs: number | null;
  readonly failures: number;
  readonly nextAttemptInMs: number | null;
}

export interface RoundResult {
  readonly ok: boolean;
  readonly uploaded: number;
  readonly syncedThrough: number;
  readonly problem: string | null;
}

/** A round that failed for a reason the receiver gave: wait this long (Retry-After), or the backoff. */
class RoundFailure extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

export class SyncClient {
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;
  private running: Promise<RoundResult> | null = null;
  private loop: Promise<void> | null = null;
  private failures = 0;
  private nextAt: number | null = null;
  private lastHeartbeatAt = -Infinity;
  private state = { lastSuccessAt: null as number | null, lastAttemptAt: null as number | null, problem: null as string | null, denyListProblem: null as string | null, faresProblem: null as string | null };
  private readonly aborter = new AbortController();

  constructor(
    private readonly deps: SyncClientDeps,
    private readonly backendUrl: string,
  ) {}

  /** Starts the rounds; the first runs at once. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Runs a round now (or joins the one running) and resolves with its result. */
  syncNow(): Promise<RoundResult> {
    const round = this.round();
    this.wake?.();
    return round;
  }

  /** Ends the loop; a request in flight is aborted (its records stay unsynced and are sent again later). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.aborter.abort();
    this.wake?.();
    await this.loop;
    await this.running?.catch(() => undefined);
  }

  /** Writes the unsynced taps as one signed depot file in `dir` (exportUnsynced); marks nothing synced. */
  exportTo(dir: string): Promise<ExportResult | null> {
    const { journal, settings, deviceKey, now, log } = this.deps;
    return exportUnsynced(journal, settings.deviceId, deviceKey, dir, now(), (done, total) => {
      if (done === total || done % 10_000 < 200) log.info(`export: ${done} of ${total} taps written`);
    });
  }

  status(): SyncState {
    const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());
    return {
      backend: this.backendUrl,
      lastSuccessAt: iso(this.state.lastSuccessAt),
      lastAttemptAt: iso(this.state.lastAttemptAt),
      problem: this.state.problem,
      denyListProblem: this.state.denyListProblem,
      faresProblem: this.state.faresProblem,
      clockErrorMs: this.deps.transport.clockErrorMs,
      failures: this.failures,
      nextAttemptInMs: this.nextAt === null ? null : Math.max(0, this.nextAt - this.deps.now()),
    };
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const result = await this.round();
      if (this.stopped) break;
      const wait = result.ok ? this.deps.settings.intervalMs : this.retryWait;
      await this.sleep(wait);
    }
  }

  private retryWait = 0;

  private sleep(ms: number): Promise<void> {
    this.nextAt = this.deps.now() + ms;
    return new Promise((resolve) => {
      const done = (): void => {
        if (this.timer) clearTimeout(this.timer);
        this.timer = null;
        this.wake = null;
        this.nextAt = null;
        resolve();
      };
      this.wake = done;
      this.timer = setTimeout(done, ms);
    });
  }

  /** One round: upload everything unsynced, then lists, then a heartbeat when due. Never rejects. */
  private round(): Promise<RoundResult> {
    this.running ??= this.roundOnce().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async roundOnce(): Promise<RoundResult> {
    const { now, log, settings, random } = this.deps;
    this.state.lastAttemptAt = now();
    let uploaded = 0;
    try {
      uploaded = await this.upload();
      await this.pullList(DENY_LIST);
      await this.pullList(FARE_BUNDLE);
      if (now() - this.lastHeartbeatAt >= settings.heartbeatMs) await this.sendHeartbeat();
      this.failures = 0;
      this.state.lastSuccessAt = now();
      this.state.problem = null;
      return { ok: true, uploaded, syncedThrough: this.deps.journal.syncPosition().syncedThrough, problem: null };
    } catch (e) {
      const problem = describeFailure(e);
      const retryAfter = e instanceof RoundFailure ? e.retryAfterMs : null;
      this.retryWait = retryAfter ?? backoffDelay(this.failures, settings.backoff, random);
      this.failures += 1;
      this.state.problem = problem;
      if (!this.stopped) log.warn(`sync round failed (${this.failures} in a row), next in ${this.retryWait} ms: ${problem}`);
      return { ok: false, uploaded, syncedThrough: this.deps.journal.syncPosition().syncedThrough, problem };
    }
  }

  /** Sends batches until the receiver holds everything; marks synced only what acks cover. */
  private async upload(): Promise<number> {
    const { journal } = this.deps;
    const cursor = journal.syncPosition().syncedThrough;
    // Acks are written to the journal at most once a MARK_EVERY_MS and when the upload ends, however it ends:
    // each mark is a durable commit (an fsync) that a tap's own commit would queue behind.
    const marks = { pending: null as { acked: number; lastSent: number } | null, at: this.deps.now() };
    const note = (acked: number, lastSent: number): void => {
      marks.pending = { acked, lastSent };
      if (this.deps.now() - marks.at < MARK_EVERY_MS) return;
      this.mark(acked, lastSent);
      marks.pending = null;
      marks.at = this.deps.now();
    };
    try {
      return await this.uploadBatches(cursor, note);
    } finally {
      if (marks.pending !== null) this.mark(marks.pending.acked, marks.pending.lastSent);
    }
  }

  /** Sends batches from `start` until none is left; `note` each ack. Resolves with the taps newly acknowledged. */
  private async uploadBatches(start: number, note: (acked: number, lastSent: number) => void): Promise<number> {
    const { settings } = this.deps;
    let cursor = start;
    let uploaded = 0;
    let lastGap = -1;
    for (;;) {
      if (this.stopped) return uploaded;
      const records = await this.readBatch(cursor);
      const last = records.at(-1);
      if (!last) return uploaded;
      const body = batchBody(randomUUID(), records);
      const reply = await this.call('POST', paths.taps(settings.deviceId), body);
      if (reply.status === 200) {
        const acked = ackShape.parse(reply.json()).ackedThrough;
        note(acked, last.seq);
        uploaded += Math.max(0, Math.min(acked, last.seq) - cursor);
        if (acked < records[0]!.seq) throw new RoundFailure(`the receiver acked only through ${acked} after a batch from ${records[0]!.seq}`);
        cursor = Math.min(acked, last.seq);
        continue;
      }
      if (reply.status === 409) {
        const body409 = reply.json();
        const conflict = conflictShape.safeParse(body409);
        if (conflict.success) {
          throw new RoundFailure(`the receiver holds seq ${conflict.data.conflict} with another hash: this journal and the backend disagree; a person must look (docs/sync-protocol.md)`);
        }
        const acked = ackShape.parse(body409).ackedThrough;
        if (acked === lastGap) throw new RoundFailure(`the receiver keeps asking to resend from ${acked + 1}`);
        lastGap = acked;
        note(acked, last.seq);
        cursor = acked;
        continue;
      }
      throw this.failure('upload', reply);
    }
  }

  /**
   * Up to batchSize records after `cursor` as JSON text, read READ_CHUNK at a time with the event loop free
   * between reads: 100 records take well under a millisecond, 500 on a loaded board a few.
   */
  private async readBatch(cursor: number): Promise<WireRecord[]> {
    const { journal, settings } = this.deps;
    const records: WireRecord[] = [];
    let from = cursor;
    while (records.length < settings.batchSize) {
      const want = Math.min(READ_CHUNK, settings.batchSize - records.length);
      const chunk = journal.listJson(from, want);
      records.push(...chunk);
      const last = chunk.at(-1);
      if (!last || chunk.length < want) break;
      from = last.seq;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return records;
  }

  private mark(acked: number, lastSent: number): void {
    const { journal, log } = this.deps;
    const position = journal.syncPosition();
    const through = Math.min(acked, Math.max(lastSent, position.syncedThrough), position.lastSeq);
    if (through > position.syncedThrough) journal.markSynced(through);
    if (acked < position.syncedThrough) log.error(`the receiver acknowledges only through ${acked}, but ${position.syncedThrough} were acknowledged before: resending from ${acked + 1}`);
  }

  /**
   * One list's pull in a round: an HTTP failure fails the round; a body refused (its reason kept for
   * status) or applied does not.
   */
  private async pullList(list: PulledList): Promise<void> {
    const pulled = await pullList(list, this.listPullDeps());
    switch (pulled.kind) {
      case 'current':
        return;
      case 'failed':
        throw this.failure(list.label, pulled.reply);
      case 'refused':
        this.state[list.problemKey] = pulled.problem;
        this.deps.log.error(pulled.problem);
        return;
      case 'applied':
        this.state[list.problemKey] = null;
        this.deps.log.info(list.applied(pulled.version));
        return;
    }
  }

  private listPullDeps(): ListPullDeps {
    const { transport, lists, backendKey, settings } = this.deps;
    return { transport, lists, backendKey, deviceId: settings.deviceId, signal: this.aborter.signal };
  }

  private async sendHeartbeat(): Promise<void> {
    const { journal, now, settings } = this.deps;
    const position = journal.syncPosition();
    const oldest = journal.list(position.syncedThrough, 1)[0];
    const status = {
      ...this.deps.heartbeat(),
      backlog: position.lastSeq - position.syncedThrough,
      oldestUnsyncedAgeSeconds: oldest ? Math.max(0, Math.round((now() - oldest.time) / 1000)) : null,
      clockErrorMs: this.deps.transport.clockErrorMs === null ? null : Math.round(this.deps.transport.clockErrorMs),
    };
    const reply = await this.call('POST', paths.heartbeat(settings.deviceId), Buffer.from(JSON.stringify({ status })));
    if (reply.status !== 200) throw this.failure('heartbeat', reply);
    this.deps.transport.noteServerTime(reply);
    this.lastHeartbeatAt = now();
  }

  private call(method: 'GET' | 'POST', path: string, body: Buffer | null): Promise<TransportReply> {
    return this.deps.transport.request(method, path, body, this.aborter.signal);
  }

  private failure(what: string, reply: TransportReply): RoundFailure {
    const said = replyError(reply);
    const wait = reply.status === 429 || reply.status === 503 ? retryAfterMs(reply.header('retry-after'), this.deps.now()) : null;
    return new RoundFailure(`${what}: HTTP ${reply.status}${said === null ? '' : `: ${said}`}`, wait);
  }
}

/**
 * The upload body (tapBatchShape) written straight from the records' JSON text into one Buffer: no object
 * per record, and no 300 kB string on the JavaScript heap per batch for the garbage collector to move.
 */
export function batchBody(batchId: string, records: readonly WireRecord[]): Buffer {
  const head = `{"batchId":${JSON.stringify(batchId)},"taps":[`;
  // The head, a comma between records, and "]}".
  let size = Buffer.byteLength(head) + Math.max(0, records.length - 1) + 2;
  for (const r of records) size += Buffer.byteLength(r.json);
  const body = Buffer.allocUnsafe(size);
  let at = body.write(head);
  for (const [i, r] of records.entries()) {
    if (i > 0) at += body.write(',', at);
    at += body.write(r.json, at);
  }
  at += body.write(']}', at);
  if (at !== size) throw new Error(`upload body: wrote ${at} bytes of ${size}`);
  return body;
}
