/**
 * Each configured reader is seen by PC/SC: the running daemon's reader states, or, without it, the same adapter
 * the daemon uses (PcscReaders over pcscd) watched until every door has its reader or the time is up.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { PcscReaders } from '../../../device/pcsc/pcsc-readers.ts';
import type { IntegrityCheck } from '../../../device/qom-card/integrity.ts';
import type { KeyStore } from '../../../device/qom-card/key-store.ts';
import { QomCardCodec } from '../../../device/qom-card/qom-card-codec.ts';
import { readerNamePattern } from '../../config/reader-name.ts';
import { ErrorCode, ValidatorError } from '../../domain/errors.ts';
import { randomIds } from '../../domain/ids.ts';
import { systemClock } from '../../domain/time.ts';
import { silentLogger } from '../../log/logger.ts';
import type { ReaderState } from '../../ports/card-reader.ts';
import { fail, FROM_DAEMON, pass, skip, type Check, type CheckResult } from './check.ts';

const FIX = 'check the reader\'s USB cable and power; pcsc_scan lists the readers pcscd sees (systemctl status pcscd); readers[].name in the config must match one';
const POLL_MS = 100;

export const checkReaders: Check = async (ctx) => {
  const { daemon, config } = ctx;
  if (daemon !== null) return daemon.readers.map((r) => verdict(r.id, r.state, ` (${FROM_DAEMON})`, daemon.mode === 'hardware'));
  if (ctx.mode === 'simulation') {
    return config.readers.map((r) => skip(`reader ${r.id}`, 'simulated: the simulated readers live in the running service', 'start it (npm start), then validator selftest'));
  }
  const states = await watchPcsc(config.readers.map((r) => ({ id: r.id, pattern: readerNamePattern(r.name) })), config.tap.exchangeTimeoutMs, ctx.timeoutMs);
  return config.readers.map((r) => verdict(r.id, states.get(r.id) ?? { kind: 'absent', reason: 'never reported' }, '', true));
};

function verdict(id: string, state: ReaderState, from: string, pcsc: boolean): CheckResult {
  if (state.kind === 'ready') return pass(`reader ${id}`, `${pcsc ? 'seen by PC/SC as ' : ''}"${state.name}"${from}`);
  return fail(`reader ${id}`, `absent: ${state.reason}${from}`, FIX);
}

/** Every door's last state once all are ready or `timeoutMs` has passed; the adapter is closed again. */
async function watchPcsc(readers: { id: string; pattern: RegExp }[], exchangeTimeoutMs: number, timeoutMs: number): Promise<Map<string, ReaderState>> {
  const pcsc = new PcscReaders({ readers, codec: new QomCardCodec({ keys: NO_CARD_KEYS, integrity: NO_INTEGRITY }), clock: systemClock, ids: randomIds, exchangeTimeoutMs, log: silentLogger });
  const states = new Map<string, ReaderState>();
  const subscriptions = pcsc.readers.map((r) => r.state$.subscribe((s) => states.set(r.id, s)));
  try {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until && !pcsc.readers.every((r) => states.get(r.id)?.kind === 'ready')) await delay(POLL_MS);
    return states;
  } finally {
    for (const s of subscriptions) s.unsubscribe();
    await pcsc.close();
  }
}

// The selftest looks for readers and reads no card: a card left on a reader is seen and ignored, never read.
const refuse = (): never => {
  throw new ValidatorError(ErrorCode.InvalidState, 'validator selftest reads no cards');
};
const NO_CARD_KEYS: KeyStore = { cardKey: refuse };
const NO_INTEGRITY: IntegrityCheck = { name: 'none (selftest)', tagLength: 4, tag: refuse, verify: () => false };
