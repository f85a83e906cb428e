import type { Subscription } from 'rxjs';
import { CmacIntegrity } from '../../../device/crypto/cmac-integrity.ts';
import type { FileKeyStore } from '../../../device/crypto/key-file.ts';
import { PcscReaders } from '../../../device/pcsc/pcsc-readers.ts';
import { QomCardCodec } from '../../../device/qom-card/qom-card-codec.ts';
import type { QomCardPresentation } from '../../../device/qom-card/qom-card-presentation.ts';
import { readerNamePattern } from '../../config/reader-name.ts';
import { ErrorCode, ValidatorError } from '../../domain/errors.ts';
import type { IdSource } from '../../domain/ids.ts';
import type { Clock } from '../../domain/time.ts';
import type { Logger } from '../../log/logger.ts';
import type { ReaderState } from '../../ports/card-reader.ts';
import type { DepotCard, DepotStation } from './depot-card.ts';
import { formatInspection } from './format-inspection.ts';

export interface PcscStationOptions {
  /** A case-insensitive part of the reader's PC/SC name, or /regex/ (as in the config). */
  readonly readerPattern: string;
  readonly keys: FileKeyStore;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly exchangeTimeoutMs: number;
  readonly log: Logger;
}

/** A depot reader over pcscd: the validator's own PC/SC adapter with a single door. */
export class PcscStation implements DepotStation {
  private readonly readers: PcscReaders;
  private readonly subscriptions: Subscription[] = [];
  /** The newest card put on the reader and not yet handed out. */
  private waiting: QomCardPresentation | null = null;
  private wake: (() => void) | null = null;
  private state: ReaderState = { kind: 'absent', reason: 'connecting to pcscd' };

  constructor(private readonly options: PcscStationOptions) {
    const codec = new QomCardCodec({ keys: options.keys, integrity: new CmacIntegrity(options.keys) });
    this.readers = new PcscReaders({
      readers: [{ id: 'depot', pattern: readerNamePattern(options.readerPattern) }],
      codec,
      clock: options.clock,
      ids: options.ids,
      exchangeTimeoutMs: options.exchangeTimeoutMs,
      log: options.log.child('pcsc'),
    });
    const reader = this.readers.reader('depot');
    // Subscribed at once: a card already resting on the reader is announced as soon as pcscd is reached.
    this.subscriptions.push(
      reader.state$.subscribe((state) => {
        this.state = state;
      }),
      reader.presentations$.subscribe((presentation) => {
        this.waiting = presentation;
        this.wake?.();
      }),
    );
  }

  get readerName(): string | null {
    return this.state.kind === 'ready' ? this.state.name : null;
  }

  async nextCard(options: { readonly timeoutMs: number; readonly uid?: string; readonly onOtherCard?: (uid: string) => void }): Promise<DepotCard> {
    const until = this.options.clock.monotonic() + options.timeoutMs;
    for (;;) {
      const card = this.waiting;
      this.waiting = null;
      if (card) {
        if (options.uid === undefined || card.uid === options.uid) return depotCard(card);
        options.onOtherCard?.(card.uid);
      }
      const left = until - this.options.clock.monotonic();
      if (left <= 0) throw this.noCard(options.timeoutMs);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  async close(): Promise<void> {
    for (const s of this.subscriptions) s.unsubscribe();
    this.wake?.();
    await this.readers.close();
  }

  private noCard(timeoutMs: number): ValidatorError {
    const seconds = Math.round(timeoutMs / 1000);
    if (this.state.kind === 'absent') {
      return new ValidatorError(
        ErrorCode.ReaderUnavailable,
        `no PC/SC reader matching "${this.options.readerPattern}" within ${seconds} s (${this.state.reason}): check the reader is plugged in and pcscd runs (pcsc_scan lists the readers), or fix --reader`,
      );
    }
    return new ValidatorError(ErrorCode.CardRemoved, `no card was presented to ${this.state.name} within ${seconds} s: present the card and run the command again (--wait sets the time)`);
  }
}

/** The presentation as the depot uses it. */
function depotCard(card: QomCardPresentation): DepotCard {
  return {
    uid: card.uid,
    read: (deadline) => card.read(deadline),
    writePurse: (update, deadline) => card.writePurse(update, deadline),
    block: (deadline) => card.block(deadline),
    personalize: (issue, deadline) => card.personalize(issue, deadline),
    inspect: async (deadline) => formatInspection(await card.inspect(deadline)),
  };
}
