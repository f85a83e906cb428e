import { Reason } from '../domain/reasons.ts';
import type { FeedbackScreen } from '../ports/feedback-unit.ts';
import { formatMoneyEn, formatMoneyFa, type MoneyUnit } from './money-format.ts';
import { formatJalaliFa } from './solar-hijri.ts';

/** What the passenger is told; the pipeline picks one per tap. */
export type Notice =
  | { readonly kind: 'welcome' }
  | { readonly kind: 'accepted'; readonly fare: number; readonly balance: number; readonly transfer: boolean }
  | { readonly kind: 'already-paid'; readonly balance: number }
  | {
      readonly kind: 'rejected';
      readonly reason: Reason;
      readonly balance: number | null;
      /** The card's last valid day (YYYY-MM-DD), shown in the Solar Hijri calendar on an EXPIRED rejection. */
      readonly expires?: string;
    }
  | { readonly kind: 'try-again'; readonly reason: Reason }
  | { readonly kind: 'out-of-service'; readonly why: string };

export interface MessageOptions {
  readonly moneyUnit: MoneyUnit;
  /** Below this balance (rials) an accepted tap also says "low balance". */
  readonly lowBalance: number;
}

const SEE_CARD_OFFICE = 'به دفتر کارت شهروندی مراجعه کنید';
const NOT_ACCEPTED = 'کارت پذیرفته نشد';

/**
 * The two lines of each rejection, for every reason (the compiler says when a new reason lacks one).
 * Reasons that never reach a passenger as a rejection say "card not accepted".
 */
const rejectText: Readonly<Record<Reason, readonly [string, string]>> = {
  [Reason.DenyListed]: ['کارت پذیرفته نشد', 'به دفتر کارت شهروندی مراجعه کنید'],
  [Reason.Blocked]: ['کارت مسدود است', 'به دفتر کارت شهروندی مراجعه کنید'],
  // The deny list said block, and the card now says so too: to the passenger, the same as a deny-listed card.
  [Reason.BlockWritten]: ['کارت پذیرفته نشد', 'به دفتر کارت شهروندی مراجعه کنید'],
  [Reason.Expired]: ['اعتبار کارت تمام شده است', 'برای تمدید به دفتر کارت مراجعه کنید'],
  [Reason.NotYetValid]: ['کارت هنوز فعال نشده است', 'به دفتر کارت شهروندی مراجعه کنید'],
  [Reason.UnknownCategory]: ['این نوع کارت پذیرفته نمی‌شود', 'به دفتر کارت شهروندی مراجعه کنید'],
  [Reason.CardInvalid]: ['کارت نامعتبر است', 'به دفتر کارت شهروندی مراجعه کنید'],
  [Reason.CardUnreadable]: ['کارت خوانده نشد', 'به دفتر کارت شهروندی مراجعه کنید'],
  // No fare rule in force matches this ride: the bus's fares are wrong, not the passenger's card.
  [Reason.NoFare]: ['کرایه این مسیر تعریف نشده است', 'لطفاً به راننده اطلاع دهید'],
  [Reason.CardNotIssued]: ['این کارت صادر نشده است', 'به دفتر کارت شهروندی مراجعه کنید'],
  [Reason.InsufficientBalance]: ['موجودی کافی نیست', 'لطفاً کارت را شارژ کنید'],
  [Reason.AlreadyPaid]: ['کرایه قبلاً پرداخت شده است', ''],
  // The card left, or time ran out: the pipeline says "try again", never a rejection, but just in case.
  [Reason.CardRemoved]: ['دوباره کارت بزنید', 'کارت را تا شنیدن صدای بوق نگه دارید'],
  [Reason.Timeout]: ['دوباره کارت بزنید', 'کارت را تا شنیدن صدای بوق نگه دارید'],
  [Reason.OutOfService]: ['دستگاه از کار افتاده است', 'لطفاً از دستگاه دیگر استفاده کنید'],
  [Reason.Ok]: [NOT_ACCEPTED, SEE_CARD_OFFICE],
  [Reason.DebitNotApplied]: [NOT_ACCEPTED, SEE_CARD_OFFICE],
  [Reason.Unresolved]: [NOT_ACCEPTED, SEE_CARD_OFFICE],
  [Reason.CardIssued]: [NOT_ACCEPTED, SEE_CARD_OFFICE],
  [Reason.TopUp]: [NOT_ACCEPTED, SEE_CARD_OFFICE],
};

/** The screen, LED and beep for a notice: Persian with Persian digits, and an English line for the depot. */
export function screenFor(notice: Notice, options: MessageOptions): FeedbackScreen {
  const fa = (rials: number): string => formatMoneyFa(rials, options.moneyUnit);
  switch (notice.kind) {
    case 'welcome':
      return { line1: 'به اتوبوسرانی قم خوش آمدید', line2: 'کارت را نزدیک کنید', english: 'Ready: tap card', led: 'off', beep: 'none' };
    case 'accepted': {
      // A free ride (100% category) needs no warning: the balance does not matter to that rider.
      const low = notice.fare > 0 && notice.balance < options.lowBalance;
      return {
        line1: notice.transfer ? 'سفر بخیر · انتقال' : 'سفر بخیر',
        line2: `کسر ${fa(notice.fare)} · مانده ${fa(notice.balance)}${low ? ' · موجودی کم است' : ''}`,
        english: `ACCEPTED${notice.transfer ? ' (transfer)' : ''} fare ${formatMoneyEn(notice.fare)}, balance ${formatMoneyEn(notice.balance)}${low ? ', LOW BALANCE' : ''}`,
        led: 'green',
        beep: 'short',
      };
    }
    case 'already-paid':
      return {
        line1: 'کرایه قبلاً پرداخت شده است',
        line2: `مانده ${fa(notice.balance)}`,
        english: `ALREADY PAID, balance ${formatMoneyEn(notice.balance)}`,
        led: 'amber',
        beep: 'short',
      };
    case 'rejected': {
      if (notice.reason === Reason.InsufficientBalance) {
        return {
          line1: 'موجودی کافی نیست',
          line2: notice.balance === null ? 'لطفاً کارت را شارژ کنید' : `مانده ${fa(notice.balance)} · لطفاً کارت را شارژ کنید`,
          english: `REJECTED ${notice.reason}${notice.balance === null ? '' : `, balance ${formatMoneyEn(notice.balance)}`}`,
          led: 'red',
          beep: 'double',
        };
      }
      if (notice.reason === Reason.Expired && notice.expires !== undefined) {
        return {
          line1: rejectText[Reason.Expired][0],
          line2: `معتبر تا ${formatJalaliFa(notice.expires)} · برای تمدید مراجعه کنید`,
          english: `REJECTED ${notice.reason}, valid until ${notice.expires}`,
          led: 'red',
          beep: 'double',
        };
      }
      const [line1, line2] = rejectText[notice.reason];
      return { line1, line2, english: `REJECTED ${notice.reason}`, led: 'red', beep: 'double' };
    }
    case 'try-again':
      return {
        line1: 'دوباره کارت بزنید',
        line2: 'کارت را تا شنیدن صدای بوق نگه دارید',
        english: `TRY AGAIN (${notice.reason})`,
        led: 'amber',
        beep: 'long',
      };
    case 'out-of-service':
      return {
        line1: 'دستگاه از کار افتاده است',
        line2: 'لطفاً از دستگاه دیگر استفاده کنید',
        english: `OUT OF SERVICE: ${notice.why}`,
        led: 'red',
        beep: 'none',
      };
  }
}
