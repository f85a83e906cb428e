import { CmacIntegrity } from '../../device/crypto/cmac-integrity.ts';
import { FileKeyStore } from '../../device/crypto/key-file.ts';
import { PcscReaders } from '../../device/pcsc/pcsc-readers.ts';
import { QomCardCodec } from '../../device/qom-card/qom-card-codec.ts';
import { readerNamePattern } from '../config/reader-name.ts';
import type { Config } from '../config/schema.ts';
import { ErrorCode, ValidatorError } from '../domain/errors.ts';
import { randomIds } from '../domain/ids.ts';
import type { Clock } from '../domain/time.ts';
import { screenFor } from '../feedback/messages.ts';
import type { Logger } from '../log/logger.ts';
import type { FeedbackUnit } from '../ports/feedback-unit.ts';
import { checkIdsFitTheCard } from './check-ids-fit.ts';
import { feedbackUnitFor } from './feedback-unit-for.ts';
import type { Hardware } from './hardware.ts';

export interface PcscHardwareOptions {
  readonly config: Config;
  /** Where the config came from, for messages. */
  readonly configFile: string | null;
  readonly clock: Clock;
  readonly log: Logger;
}

/**
 * The real contactless readers over pcscd, one per configured door, reading and writing Qom Cards with
 * the key file's keys, and each door's passenger feedback unit on its serial port (a door without one
 * in the config keeps its screen in memory, where the log shows it).
 */
export function createPcscHardware(options: PcscHardwareOptions): Hardware {
  const { config, configFile, clock, log } = options;
  if (config.keys.file === null) {
    throw new ValidatorError(ErrorCode.ConfigInvalid, 'real readers need the card keys: set keys.file in the config to the key file (mode 0600)');
  }
  checkIdsFitTheCard(config, configFile);
  const keys = FileKeyStore.load(config.keys.file);
  log.info('card keys loaded', { keys });
  const readers = new PcscReaders({
    readers: config.readers.map((r) => ({ id: r.id, pattern: readerNamePattern(r.name) })),
    codec: new QomCardCodec({ keys, integrity: new CmacIntegrity(keys) }),
    clock,
    ids: randomIds,
    exchangeTimeoutMs: config.tap.exchangeTimeoutMs,
    log: log.child('pcsc'),
  });
  const welcome = screenFor({ kind: 'welcome' }, { moneyUnit: config.display.moneyUnit, lowBalance: 0 });
  const units = new Map<string, FeedbackUnit>(config.readers.map((r) => [r.id, feedbackUnitFor(r, config, clock, log, welcome)]));
  return {
    readers: readers.readers,
    feedbackFor: (id) => {
      const unit = units.get(id);
      if (!unit) throw new ValidatorError(ErrorCode.NotFound, `no feedback unit for reader "${id}"`);
      return unit;
    },
    close: async () => {
      await Promise.all([readers.close(), ...[...units.values()].map((u) => u.close())]);
    },
  };
}
