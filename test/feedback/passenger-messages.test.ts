import { toJalaali } from 'jalaali-js';
import { describe, expect, it } from 'vitest';
import { Reason } from '../../src/domain/reasons.ts';
import { screenFor, type MessageOptions } from '../../src/feedback/messages.ts';
import { formatMoneyFa, type MoneyUnit } from '../../src/feedback/money-format.ts';
import { formatJalaliFa, toJalali } from '../../src/feedback/solar-hijri.ts';

const toman: MessageOptions = { moneyUnit: 'toman', lowBalance: 74_000 };
/** Arabic-script letters or Persian digits, and no Latin letter or digit: what a passenger line may hold. */
const persianOnly = /^[\p{Script_Extensions=Arabic}\u200c\s·/٬٫:!]*$/u;
const DAY_MS = 86_400_000;

describe('every screen a passenger can see', () => {
  it('has Persian lines with Persian digits for every reason a card is rejected for, red with a long or double beep', () => {
    for (const reason of Object.values(Reason)) {
      const s = screenFor({ kind: 'rejected', reason, balance: 12_345 }, toman);
      expect(s.line1, reason).toMatch(persianOnly);
      expect(s.line1.length, reason).toBeGreaterThan(0);
      expect(s.line2, reason).toMatch(persianOnly);
      expect(s.english, reason).toContain(reason);
      expect(s.led, reason).toBe('red');
      expect(['long', 'double'], reason).toContain(s.beep);
    }
  });

  it('says each reason the issue lists in its own words', () => {
    const line1 = (reason: Reason): string => screenFor({ kind: 'rejected', reason, balance: 0 }, toman).line1;
    expect(line1(Reason.Blocked)).toBe('کارت مسدود است');
    expect(line1(Reason.NoFare)).toBe('کرایه این مسیر تعریف نشده است');
    expect(line1(Reason.CardNotIssued)).toBe('این کارت صادر نشده است');
    expect(line1(Reason.BlockWritten)).toBe('کارت پذیرفته نشد');
    expect(line1(Reason.InsufficientBalance)).toBe('موجودی کافی نیست');
  });

  it('shows the remaining balance after a tap (green, one short beep) with a low-balance warning; already paid and try again are amber', () => {
    const ok = screenFor({ kind: 'accepted', fare: 37_000, balance: 40_000, transfer: false }, toman);
    expect(ok).toMatchObject({ line1: 'سفر بخیر', line2: 'کسر ۳٬۷۰۰ تومان · مانده ۴٬۰۰۰ تومان · موجودی کم است', led: 'green', beep: 'short' });
    expect(screenFor({ kind: 'already-paid', balance: 463_000 }, toman)).toMatchObject({ line2: 'مانده ۴۶٬۳۰۰ تومان', led: 'amber' });
    const welcome = screenFor({ kind: 'welcome' }, toman);
    expect([welcome.line1, welcome.line2]).toEqual(['به اتوبوسرانی قم خوش آمدید', 'کارت را نزدیک کنید']);
    const out = screenFor({ kind: 'out-of-service', why: 'reader front absent' }, toman);
    expect(out).toMatchObject({ line1: 'دستگاه از کار افتاده است', led: 'red', beep: 'none' });
    expect(screenFor({ kind: 'try-again', reason: Reason.CardRemoved }, toman).led).toBe('amber');
  });

  it('gives an expired card its last valid day in the Solar Hijri calendar', () => {
    const s = screenFor({ kind: 'rejected', reason: Reason.Expired, balance: 0, expires: '2030-03-19' }, toman);
    expect(s.line2).toBe('معتبر تا ۱۴۰۸/۱۲/۲۹ · برای تمدید مراجعه کنید');
    expect(s.english).toBe('REJECTED EXPIRED, valid until 2030-03-19');
  });
});

describe('money on the display', () => {
  const cases: [MoneyUnit, number, string][] = [
    ['rial', 37_000, '۳۷٬۰۰۰ ریال'],
    ['toman', 37_000, '۳٬۷۰۰ تومان'],
    ['toman', 37_005, '۳٬۷۰۰٫۵ تومان'],
    ['new-rial', 37_000, '۳٫۷ ریال جدید'],
    ['new-rial', 1_250_000, '۱۲۵ ریال جدید'],
    ['new-rial', 12_345_600, '۱٬۲۳۴٫۵۶ ریال جدید'],
    // Below a hundredth of a new rial: rounded half away from zero.
    ['new-rial', 150, '۰٫۰۲ ریال جدید'],
    ['rial', -20_000, '‎−۲۰٬۰۰۰ ریال'],
  ];
  it.each(cases)('%s: %i rials → %s', (unit, rials, text) => {
    expect(formatMoneyFa(rials, unit)).toBe(text);
  });

  it('shows a redenominated fare from the same integer rials', () => {
    const s = screenFor({ kind: 'accepted', fare: 37_000, balance: 463_000, transfer: false }, { moneyUnit: 'new-rial', lowBalance: 74_000 });
    expect(s.line2).toBe('کسر ۳٫۷ ریال جدید · مانده ۴۶٫۳ ریال جدید');
    expect(s.english).toBe('ACCEPTED fare 37,000 IRR, balance 463,000 IRR');
  });
});

describe('Solar Hijri dates (Intl, full ICU) against jalaali-js', () => {
  it('agrees on every day from 1380 to 1480 (2001 to 2101)', () => {
    const from = Date.UTC(2001, 0, 1);
    const to = Date.UTC(2101, 11, 31);
    const disagreements: string[] = [];
    for (let t = from; t <= to; t += DAY_MS) {
      const d = new Date(t);
      const iso = d.toISOString().slice(0, 10);
      const ours = toJalali(iso);
      const ref = toJalaali(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
      if (ours.year !== ref.jy || ours.month !== ref.jm || ours.day !== ref.jd) disagreements.push(`${iso}: ${JSON.stringify(ours)} vs ${JSON.stringify(ref)}`);
    }
    expect(disagreements.slice(0, 5)).toEqual([]);
  });

  it('writes year/month/day in Persian digits, and refuses what is not a calendar day', () => {
    expect(formatJalaliFa('2025-03-21')).toBe('۱۴۰۴/۰۱/۰۱');
    expect(formatJalaliFa('2026-11-22')).toBe('۱۴۰۵/۰۹/۰۱');
    expect(() => toJalali('2025-02-30')).toThrow(RangeError);
    expect(() => toJalali('1404/01/01')).toThrow(RangeError);
  });
});
