import { Subject, type Observable } from 'rxjs';
import type { CardData } from '../domain/card.ts';
import { decideTap, type Decision } from '../domain/decide.ts';
import type { DenyList } from '../domain/deny-list.ts';
import { describeError, ErrorCode, isValidatorError } from '../domain/errors.ts';
import type { FarePolicy } from '../domain/fare-policy.ts';
import type { IdSource } from '../domain/ids.ts';
import { Reason } from '../domain/reasons.ts';
import type { TapContext } from '../domain/tap-context.ts';
import { Deadline, utcOffsetMinutes, type Clock } from '../domain/time.ts';
import { screenFor, type MessageOptions, type Notice } from '../feedback/messages.ts';
import type { DebitIntent, Position, TapJournal, TapRecord } from '../journal/types.ts';
import type { Logger } from '../log/logger.ts';
import type { CardPresentation } from '../ports/card-reader.ts';
import type { FeedbackUnit } from '../ports/feedback-unit.ts';
import { judgeIntent, resolutionFields } from './resolve-intent.ts';
import { tapFields, undecodedFields, type TapStamp } from './tap-fields.ts';
import type { TapOutcome } from './tap-outcome.ts';
import { withDeadline } from './with-deadline.ts';

/** Where the pipeline gets what can change while it runs (lists are replaced, the bus is reassigned). */
export interface TapSources {
  denyList(): DenyList;
  fares(): FarePolicy;
  /** Device, vehicle, route and stop now; the reader is added per tap. */
  context(): Omit<TapContext, 'reader'>;
  position(): Position | null;
}

export interface TapPipelineSettings {
  /** From detection to feedback. */
  readonly budgetMs: number;
  /** A card back this soon after an interrupted debit that did land completes that tap, not a new one. */
  readonly resumeWindowMs: number;
  readonly timeZone: string;
  readonly messages: MessageOptions;
}

export interface TapPipelineDeps {
  readonly journal: TapJournal;
  readonly sources: TapSources;
  readonly feedbackFor: (reader: string) => FeedbackUnit;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly log: Logger;
  readonly settings: TapPipelineSettings;
}

type Ended = Omit<TapOutcome, 'screen' | 'elapsedMs' | 'presentationId' | 'reader'>;

/**
 * card presented → read → decide → journal the intent → write the card → journal the outcome → feedback.
 * One decision per presentation; every presentation ends with feedback, whatever fails.
 */
export class TapPipeline {
  private readonly outcomes = new Subject<TapOutcome>();
  private readonly inFlight = new Set<Promise<TapOutcome>>();
  /** Every tap's outcome, after its feedback was shown. */
  readonly outcomes$: Observable<TapOutcome> = this.outcomes.asObservable();

  constructor(private readonly deps: TapPipelineDeps) {}

  /** Handles one presentation. Rejects only on a programming error, after showing "out of service". */
  process(presentation: CardPresentation): Promise<TapOutcome> {
    const work = this.run(presentation);
    this.inFlight.add(work);
    const forget = (): void => void this.inFlight.delete(work);
    work.then(forget, forget);
    return work;
  }

  /** Resolves when every tap in progress has ended (for shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  /** Closes the outcome stream. */
  close(): void {
    this.outcomes.complete();
  }

  /**
   * Journals as unresolved every open debit older than `olderThanMs` whose card never came back,
   * so the backend can reconcile it. Returns the records written.
   */
  closeStaleIntents(olderThanMs: number): TapRecord[] {
    const { journal, clock, log } = this.deps;
    const cutoff = clock.now() - olderThanMs;
    const closed: TapRecord[] = [];
    for (const intent of journal.openDebits()) {
      if (intent.createdAt > cutoff) continue;
      closed.push(journal.resolveDebit(intent.id, resolutionFields(intent, 'unknown')));
      log.warn('debit intent closed as unresolved: its card did not come back', { intent: intent.id, card: intent.cardUid });
    }
    return closed;
  }

  private async run(p: CardPresentation): Promise<TapOutcome> {
    const deadline = new Deadline(this.deps.clock, p.detectedAt + this.deps.settings.budgetMs);
    let ended: Ended;
    try {
      ended = await this.decideAndCharge(p, deadline);
    } catch (e) {
      try {
        ended = this.afterFailure(p, e);
      } catch (fatal) {
        // A bug, not a card: the passenger still gets an answer, then the process exits for systemd to restart.
        this.finish(p, { cardUid: p.uid, cardNumber: null, records: [], notice: { kind: 'out-of-service', why: 'internal error' } });
        throw fatal;
      }
    }
    return this.finish(p, ended);
  }

  private async decideAndCharge(p: CardPresentation, deadline: Deadline): Promise<Ended> {
    const { journal, sources, log } = this.deps;
    const card = await withDeadline(p.read(deadline), deadline, 'reading the card');
    const records: TapRecord[] = [];
    const open = journal.openDebitFor(card.uid);
    if (open) {
      const verdict = judgeIntent(open, card);
      records.push(journal.resolveDebit(open.id, resolutionFields(open, verdict)));
      log.info('interrupted debit resolved', { intent: open.id, verdict });
      const resumed = verdict === 'applied' && open.tap.result === 'accepted';
      if (resumed && this.deps.clock.now() - open.createdAt <= this.deps.settings.resumeWindowMs) {
        // The passenger was told "try again" and did: that tap is now complete, not a new one.
        const notice: Notice = { kind: 'accepted', fare: open.tap.fare, balance: card.balance, transfer: open.tap.transfer };
        return { cardUid: card.uid, cardNumber: card.number, notice, records };
      }
    }

    const stamp = this.stamp(p.reader);
    const decision = decideTap({
      card,
      context: stamp.context,
      now: stamp.time,
      denyList: sources.denyList(),
      fares: sources.fares(),
      timeZone: this.deps.settings.timeZone,
    });
    if (!decision.purse) {
      records.push(journal.append(tapFields(stamp, card, decision, null)));
      return { cardUid: card.uid, cardNumber: card.number, notice: noticeFor(decision, card), records };
    }

    if (deadline.expired()) {
      // Nothing is written and nothing charged; the passenger simply taps again.
      return tryAgain(card, Reason.Timeout, records);
    }
    journal.assertWritable();
    const intentId = this.deps.ids.uuid();
    const intent: DebitIntent = {
      id: intentId,
      createdAt: stamp.time,
      cardUid: card.uid,
      counterBefore: card.counter,
      counterAfter: decision.purse.counter,
      tap: tapFields(stamp, card, decision, intentId),
    };
    journal.beginDebit(intent);
    try {
      await p.writePurse(decision.purse, deadline);
    } catch (e) {
      if (!isCardSideFailure(e)) throw e;
      // The write may or may not have landed: the intent stays open until the card is seen again.
      log.info('debit interrupted; it resolves at the card\'s next presentation', { intent: intentId, error: describeError(e) });
      return tryAgain(card, Reason.CardRemoved, records);
    }
    try {
      records.push(journal.resolveDebit(intentId, intent.tap));
    } catch (e) {
      // The card is debited and its intent is durable: the tap is not lost, it resolves at the next presentation.
      log.error('debit written to the card but its outcome could not be journaled', { intent: intentId, error: describeError(e) });
    }
    return { cardUid: card.uid, cardNumber: card.number, notice: noticeFor(decision, card), records };
  }

  /** Feedback for a presentation that failed before a decision took effect. */
  private afterFailure(p: CardPresentation, e: unknown): Ended {
    const base = { cardUid: p.uid, cardNumber: null, records: [] as TapRecord[] };
    if (!isValidatorError(e)) throw e;
    this.deps.log.info('tap ended early', { reader: p.reader, card: p.uid, error: describeError(e) });
    switch (e.code) {
      case ErrorCode.CardRemoved:
      case ErrorCode.ReaderTimeout:
      case ErrorCode.ReaderBusy:
      case ErrorCode.BudgetExceeded:
        return { ...base, notice: { kind: 'try-again', reason: e.code === ErrorCode.CardRemoved ? Reason.CardRemoved : Reason.Timeout } };
      case ErrorCode.CardInvalid:
        return this.rejectUndecoded(p, Reason.CardInvalid);
      case ErrorCode.CardNotIssued:
        return this.rejectUndecoded(p, Reason.CardNotIssued);
      case ErrorCode.CardUnreadable:
      case ErrorCode.CardAuthFailed:
      case ErrorCode.CardProtocol:
        return this.rejectUndecoded(p, Reason.CardUnreadable);
      case ErrorCode.JournalUnavailable:
      case ErrorCode.JournalCorrupt:
        return { ...base, notice: { kind: 'out-of-service', why: 'journal cannot record taps' } };
      case ErrorCode.ReaderUnavailable:
        return { ...base, notice: { kind: 'out-of-service', why: 'reader unavailable' } };
      default:
        throw e;
    }
  }

  /** A card we could not decode is still a tap: journaled, so fraud and broken cards show up at the backend. */
  private rejectUndecoded(p: CardPresentation, reason: Reason): Ended {
    try {
      const record = this.deps.journal.append(undecodedFields(this.stamp(p.reader), p.uid, reason));
      return { cardUid: p.uid, cardNumber: null, notice: { kind: 'rejected', reason, balance: null }, records: [record] };
    } catch (e) {
      if (!isValidatorError(e)) throw e;
      return { cardUid: p.uid, cardNumber: null, notice: { kind: 'out-of-service', why: 'journal cannot record taps' }, records: [] };
    }
  }

  private stamp(reader: string): TapStamp {
    const { clock, ids, sources, settings } = this.deps;
    const time = clock.now();
    return {
      id: ids.uuid(),
      time,
      utcOffsetMinutes: utcOffsetMinutes(time, settings.timeZone),
      context: { ...sources.context(), reader },
      position: sources.position(),
      denyListVersion: sources.denyList().version,
      faresVersion: sources.fares().version,
    };
  }

  private finish(p: CardPresentation, ended: Ended): TapOutcome {
    const screen = screenFor(ended.notice, this.deps.settings.messages);
    this.deps.feedbackFor(p.reader).show(screen).catch((e: unknown) => {
      this.deps.log.warn('feedback unit did not take the screen', { reader: p.reader, error: describeError(e) });
    });
    const outcome: TapOutcome = {
      ...ended,
      presentationId: p.id,
      reader: p.reader,
      screen,
      elapsedMs: Math.round(this.deps.clock.monotonic() - p.detectedAt),
    };
    this.outcomes.next(outcome);
    return outcome;
  }
}

function noticeFor(decision: Decision, card: CardData): Notice {
  const balance = decision.purse ? decision.purse.balance : card.balance;
  if (decision.result === 'reject') {
    const rejected = { kind: 'rejected', reason: decision.reason, balance: card.balance } as const;
    return decision.reason === Reason.Expired ? { ...rejected, expires: card.expires } : rejected;
  }
  if (decision.reason === Reason.AlreadyPaid) return { kind: 'already-paid', balance };
  return { kind: 'accepted', fare: decision.fare, balance, transfer: decision.transfer };
}

function tryAgain(card: CardData, reason: Reason, records: TapRecord[]): Ended {
  return { cardUid: card.uid, cardNumber: card.number, notice: { kind: 'try-again', reason }, records };
}

/** Failures of the card or reader during a write: the card may or may not hold the new purse. */
function isCardSideFailure(e: unknown): boolean {
  if (!isValidatorError(e)) return false;
  switch (e.code) {
    case ErrorCode.CardRemoved:
    case ErrorCode.ReaderTimeout:
    case ErrorCode.ReaderUnavailable:
    case ErrorCode.ReaderBusy:
    case ErrorCode.CardAuthFailed:
    case ErrorCode.CardProtocol:
      return true;
    default:
      return false;
  }
}
