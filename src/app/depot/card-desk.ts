import type { CardData, CardStatus } from '../../domain/card.ts';
import { ErrorCode, isValidatorError, ValidatorError } from '../../domain/errors.ts';
import type { IdSource } from '../../domain/ids.ts';
import { Reason } from '../../domain/reasons.ts';
import { Deadline, localDate, utcOffsetMinutes, type Clock } from '../../domain/time.ts';
import type { TapFields, TapJournal, TapRecord } from '../../journal/types.ts';
import type { Logger } from '../../log/logger.ts';
import { judgeIntent, resolutionFields } from '../../pipeline/resolve-intent.ts';
import type { CardInspection, DepotCard, DepotStation } from './depot-card.ts';

/** The reader id depot records carry, where a validator's carry its door. */
export const DEPOT_READER = 'depot';

/** One card operation may take this long on the card; a depot has no passenger waiting, so it is generous. */
const OPERATION_MS = 3_000;

export interface CardDeskDeps {
  readonly station: DepotStation;
  readonly journal: TapJournal;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly log: Logger;
  readonly device: string;
  readonly vehicle: string;
  readonly timeZone: string;
  /** How long to wait for a card to be presented. */
  readonly waitMs: number;
  /** Said to the technician: "present the card", "present it again". */
  readonly prompt: (line: string) => void;
}

export interface IssueRequest {
  readonly number: string;
  readonly category: string;
  readonly balance: number;
  /** YYYY-MM-DD; default: today in the network's time zone. */
  readonly issued?: string | undefined;
  readonly expires: string;
}

/** What a depot write did: the card as it now reads, and the journal record of it. */
export interface DeskResult {
  readonly card: CardData;
  readonly record: TapRecord;
}

/**
 * The depot's card operations. Every write of value goes through the journal the way a tap's does:
 * the intent first, then the card, then the outcome; a write cut short is judged from the card when the
 * technician presents it again, and otherwise left open for the next validator or depot that sees it.
 */
export class CardDesk {
  constructor(private readonly deps: CardDeskDeps) {}

  /** Personalizes a blank card, then reads it back and journals the issue with its opening balance. */
  async issue(request: IssueRequest): Promise<DeskResult> {
    const { deps } = this;
    const issued = request.issued ?? localDate(deps.clock.now(), deps.timeZone);
    if (request.expires < issued) {
      throw new ValidatorError(ErrorCode.BadRequest, `--expires ${request.expires} is before the issue date ${issued}: give a later expiry date`);
    }
    const card = await this.presented();
    deps.journal.assertWritable();
    const plan = { number: request.number, category: request.category, issued, expires: request.expires, status: 'active', balance: request.balance, counter: 0, lastTrip: null } as const;
    let data: CardData;
    try {
      await card.personalize(plan, this.deadline());
      data = await card.read(this.deadline());
    } catch (e) {
      if (!isCutShort(e)) throw e;
      // Sector 1 is written last: the card is issued exactly when it reads as issued.
      data = await this.readAgain('personalization', card.uid, request.number, 'present it to `validator card read` to see what it holds');
      if (data.number !== request.number || data.counter !== 0) {
        throw new ValidatorError(ErrorCode.InvalidState, `card ${card.uid} now holds card number ${data.number}, counter ${data.counter}: not the card just personalized`);
      }
    }
    const record = deps.journal.append(this.fields(data, { reason: Reason.CardIssued, balanceBefore: null, balanceAfter: data.balance, intentId: null }));
    deps.log.info('card issued', { card: data.number, uid: data.uid, category: data.category, balance: data.balance, seq: record.seq });
    return { card: data, record };
  }

  /**
   * After a write cut short: the same card, presented again and read. `ifGone` says what happens when it
   * does not come back. A card that still reads as not issued was never personalized.
   */
  private async readAgain(what: string, uid: string, number: string, ifGone: string): Promise<CardData> {
    const { deps } = this;
    deps.prompt(`The ${what} may not have reached card ${number}: present the same card again to confirm.`);
    let card: DepotCard;
    try {
      card = await deps.station.nextCard({
        timeoutMs: deps.waitMs,
        uid,
        onOtherCard: (other) => deps.prompt(`That is card ${other}, not ${uid}: present card ${number}.`),
      });
    } catch (e) {
      throw new ValidatorError(
        ErrorCode.CardRemoved,
        `the ${what} of card ${number} was cut short and the card did not come back: ${ifGone}`,
        { cause: e },
      );
    }
    try {
      return await card.read(this.deadline());
    } catch (e) {
      if (!isValidatorError(e, ErrorCode.CardNotIssued)) throw e;
      throw new ValidatorError(ErrorCode.CardNotIssued, `the ${what} of card ${number} did not complete and the card is still blank: run card issue again`, { cause: e });
    }
  }

  /** Adds `amount` rials to the card's purse. */
  async topUp(amount: number): Promise<DeskResult> {
    if (!Number.isSafeInteger(amount) || amount <= 0) {
      throw new ValidatorError(ErrorCode.BadRequest, `a top-up is a whole number of rials above 0, got ${amount}`);
    }
    return this.purseWrite('top-up', (card) => {
      if (card.status === 'blocked') {
        throw new ValidatorError(ErrorCode.InvalidState, `card ${card.number} is blocked: a blocked card is not topped up. Refund the balance through the card office instead`);
      }
      return { balance: card.balance + amount, status: card.status, reason: Reason.TopUp };
    });
  }

  /** Writes "blocked" onto the card; the balance stays, for a refund at the card office. */
  async block(): Promise<DeskResult> {
    return this.purseWrite('block', (card) => {
      if (card.status === 'blocked') throw new ValidatorError(ErrorCode.InvalidState, `card ${card.number} is already blocked`);
      return { balance: card.balance, status: 'blocked', reason: Reason.BlockWritten };
    });
  }

  /** Everything on the card, decoded. Writes nothing. */
  async inspect(): Promise<CardInspection> {
    const card = await this.presented();
    return card.inspect(this.deadline());
  }

  private async purseWrite(
    what: string,
    plan: (card: CardData) => { balance: number; status: CardStatus; reason: Reason.TopUp | Reason.BlockWritten },
  ): Promise<DeskResult> {
    const { deps } = this;
    const card = await this.presented();
    let data = await card.read(this.deadline());
    data = await this.settleOpenIntent(card, data);
    const planned = plan(data);
    deps.journal.assertWritable();
    const intentId = deps.ids.uuid();
    const counter = data.counter + 1;
    const tap = this.fields(data, { reason: planned.reason, balanceBefore: data.balance, balanceAfter: planned.balance, intentId, counter });
    deps.journal.beginDebit({ id: intentId, createdAt: deps.clock.now(), cardUid: data.uid, counterBefore: data.counter, counterAfter: counter, tap });
    try {
      if (planned.status === 'blocked') await card.block(this.deadline());
      else await card.writePurse({ balance: planned.balance, counter, lastTrip: data.lastTrip }, this.deadline());
    } catch (e) {
      if (!isCutShort(e)) throw e;
      deps.log.warn(`${what} cut short`, { card: data.number, error: (e as Error).message });
      return this.confirmAfterCut(what, data, intentId);
    }
    const record = deps.journal.resolveDebit(intentId, tap);
    const after = await card.read(this.deadline()).catch(() => null);
    deps.log.info(`card ${what}`, { card: data.number, balanceBefore: data.balance, balanceAfter: planned.balance, status: planned.status, seq: record.seq });
    return { card: after ?? { ...data, balance: planned.balance, counter, status: planned.status }, record };
  }

  /**
   * A write that may or may not have landed: the card itself says which once it is back. The intent stays
   * open if it does not come back; any validator or depot that sees the card next resolves it.
   */
  private async confirmAfterCut(what: string, before: CardData, intentId: string): Promise<DeskResult> {
    const { deps } = this;
    const now = await this.readAgain(
      what,
      before.uid,
      before.number,
      'the journal keeps it open, and the next validator or depot that reads the card settles it',
    );
    const intent = deps.journal.openDebitFor(before.uid);
    if (!intent || intent.id !== intentId) throw new Error(`bug: the ${what}'s open intent ${intentId} is gone`);
    const verdict = judgeIntent(intent, now);
    const record = deps.journal.resolveDebit(intentId, resolutionFields(intent, verdict));
    if (verdict === 'applied') return { card: now, record };
    throw new ValidatorError(
      ErrorCode.CardRemoved,
      verdict === 'not-applied'
        ? `the ${what} did not reach card ${before.number}: nothing was written and the journal says so (seq ${record.seq}); run it again`
        : `card ${before.number} was written by someone else meanwhile: the ${what} is journaled as unresolved (seq ${record.seq}) for the backend to reconcile`,
    );
  }

  /** Settles an earlier write to this card left open here, before writing again. */
  private async settleOpenIntent(card: DepotCard, data: CardData): Promise<CardData> {
    const open = this.deps.journal.openDebitFor(data.uid);
    if (!open) return data;
    const verdict = judgeIntent(open, data);
    const record = this.deps.journal.resolveDebit(open.id, resolutionFields(open, verdict));
    this.deps.log.info('settled an interrupted write', { card: data.number, verdict, seq: record.seq });
    return card.read(this.deadline());
  }

  private async presented(): Promise<DepotCard> {
    const { station, prompt, waitMs } = this.deps;
    prompt(`Present the card to ${station.readerName ?? 'the reader'}…`);
    return station.nextCard({ timeoutMs: waitMs });
  }

  private deadline(): Deadline {
    return Deadline.in(this.deps.clock, OPERATION_MS);
  }

  private fields(
    card: CardData,
    f: { reason: Reason; balanceBefore: number | null; balanceAfter: number; intentId: string | null; counter?: number },
  ): TapFields {
    const { deps } = this;
    const time = deps.clock.now();
    return {
      id: deps.ids.uuid(),
      time,
      utcOffsetMinutes: utcOffsetMinutes(time, deps.timeZone),
      device: deps.device,
      reader: DEPOT_READER,
      cardUid: card.uid,
      cardNumber: card.number,
      cardCounter: f.counter ?? card.counter,
      category: card.category,
      // A block refuses the card from now on: journaled as a rejection, like a deny-list block at a door.
      result: f.reason === Reason.BlockWritten ? 'rejected' : 'accepted',
      reason: f.reason,
      fare: 0,
      balanceBefore: f.balanceBefore,
      balanceAfter: f.balanceAfter,
      transfer: false,
      route: null,
      vehicle: deps.vehicle,
      stop: null,
      position: null,
      denyListVersion: 'depot',
      faresVersion: 'depot',
      intentId: f.intentId,
    };
  }
}

/** The errors after which a write may or may not have landed. */
function isCutShort(e: unknown): boolean {
  return isValidatorError(e, ErrorCode.CardRemoved) || isValidatorError(e, ErrorCode.ReaderTimeout) || isValidatorError(e, ErrorCode.ReaderUnavailable);
}
