/** Each door's passenger display (feedback unit) answers: the running daemon's health of it, or a STATUS exchange of our own. */
import { setTimeout as delay } from 'node:timers/promises';
import type { ReaderConfig } from '../../config/schema.ts';
import { systemClock } from '../../domain/time.ts';
import { screenFor } from '../../feedback/messages.ts';
import { silentLogger } from '../../log/logger.ts';
import type { FeedbackHealth } from '../../ports/feedback-unit.ts';
import { feedbackUnitFor } from '../feedback-unit-for.ts';
import { fail, FROM_DAEMON, pass, skip, type Check, type CheckResult, type SelftestContext } from './check.ts';

const POLL_MS = 50;

export const checkDisplays: Check = async (ctx) => Promise.all(ctx.config.readers.map((r) => checkDisplay(ctx, r)));

async function checkDisplay(ctx: SelftestContext, reader: ReaderConfig): Promise<CheckResult> {
  const name = `display ${reader.id}`;
  const fromDaemon = ctx.daemon?.feedback.find((f) => f.id === reader.id);
  if (ctx.mode === 'simulation') {
    if (fromDaemon === undefined) return skip(name, 'simulated: the simulated display lives in the running service', 'start it (npm start), then validator selftest');
    return verdict(name, fromDaemon.health, ` (${FROM_DAEMON})`);
  }
  if (reader.feedback === null) return skip(name, 'no feedback unit configured for this door (readers[].feedback): its screens are only logged');
  if (fromDaemon !== undefined) return verdict(name, fromDaemon.health, ` (${FROM_DAEMON})`);
  // The daemon's own driver: it opens the port and sends STATUS at once; the unit's answer (or silence) sets its health.
  const welcome = screenFor({ kind: 'welcome' }, { moneyUnit: ctx.config.display.moneyUnit, lowBalance: 0 });
  const unit = feedbackUnitFor(reader, ctx.config, systemClock, silentLogger, welcome);
  try {
    const until = Date.now() + ctx.timeoutMs;
    while (Date.now() < until && unit.health().state === 'unknown') await delay(POLL_MS);
    return verdict(name, unit.health(), '');
  } finally {
    await unit.close();
  }
}

function verdict(name: string, health: FeedbackHealth, from: string): CheckResult {
  if (health.state === 'up') return pass(name, `answers: ${health.detail}${from}`);
  const why = health.state === 'down' ? `does not answer: ${health.lastError ?? 'no ack'}` : 'has not answered yet';
  return fail(name, `${why} (${health.detail})${from}`, `check the unit's cable and power (${health.detail}); the port must be the unit's (ls -l /dev/serial/by-id/)`);
}
