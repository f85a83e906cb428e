import { SerialFeedbackUnit } from '../../device/feedback/serial-feedback-unit.ts';
import { serialLink } from '../../device/feedback/serial-link.ts';
import { SimulatedFeedbackUnit } from '../../device/feedback/simulated-feedback-unit.ts';
import type { Config, ReaderConfig } from '../config/schema.ts';
import type { Clock } from '../domain/time.ts';
import type { Logger } from '../log/logger.ts';
import type { FeedbackScreen, FeedbackUnit } from '../ports/feedback-unit.ts';

/** How often a feedback unit's port that is gone (USB adapter unplugged) is tried again. */
const REOPEN_MS = 1000;

/** A door's feedback unit on its serial port; when the config names none, its screen kept in memory (and logged). */
export function feedbackUnitFor(reader: ReaderConfig, config: Config, clock: Clock, log: Logger, welcome: FeedbackScreen): FeedbackUnit {
  if (reader.feedback === null) {
    log.warn(`door ${reader.id} has no feedback unit in the config (readers[].feedback): its passenger screens are logged, not shown`);
    return new SimulatedFeedbackUnit(welcome);
  }
  const { port, baudRate } = reader.feedback;
  return new SerialFeedbackUnit({
    open: serialLink(port, baudRate),
    where: `${port} at ${baudRate} baud`,
    clock,
    log: log.child(`feedback:${reader.id}`),
    ackTimeoutMs: config.feedback.ackTimeoutMs,
    retries: config.feedback.retries,
    probeMs: config.feedback.probeSeconds * 1000,
    reopenMs: REOPEN_MS,
  });
}
