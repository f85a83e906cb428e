import { describe, expect, it } from 'vitest';
import { Reason } from '../../src/domain/reasons.ts';
import { screenFor } from '../../src/feedback/messages.ts';

const toman = { moneyUnit: 'toman' as const, lowBalance: 74_000 };

describe('passenger messages', () => {
  it('shows an accepted tap in Persian digits and tomans, green with a short beep', () => {
    const s = screenFor({ kind: 'accepted', fare: 37_000, balance: 463_000, transfer: false }, toman);
    expect(s.line2).toBe('کسر ۳٬۷۰۰ تومان · مانده ۴۶٬۳۰۰ تومان');
    expect(s.english).toBe('ACCEPTED fare 37,000 IRR, balance 463,000 IRR');
    expect([s.led, s.beep]).toEqual(['green', 'short']);
  });

  it('shows rials when configured and warns of a low balance', () => {
    const s = screenFor({ kind: 'accepted', fare: 37_000, balance: 50_000, transfer: false }, { moneyUnit: 'rial', lowBalance: 74_000 });
    expect(s.line2).toBe('کسر ۳۷٬۰۰۰ ریال · مانده ۵۰٬۰۰۰ ریال · موجودی کم است');
    expect(s.english).toContain('LOW BALANCE');
  });

  it('is red with a double beep for every rejection, each with its own text', () => {
    const reasons = [Reason.DenyListed, Reason.Blocked, Reason.Expired, Reason.InsufficientBalance, Reason.CardInvalid];
    const screens = reasons.map((reason) => screenFor({ kind: 'rejected', reason, balance: 10_000 }, toman));
    for (const s of screens) expect([s.led, s.beep]).toEqual(['red', 'double']);
    expect(new Set(screens.map((s) => s.line1)).size).toBe(reasons.length);
    expect(screens[3]?.line2).toContain('۱٬۰۰۰ تومان');
  });

  it('is amber for already paid and try again', () => {
    expect(screenFor({ kind: 'already-paid', balance: 1 }, toman).led).toBe('amber');
    expect(screenFor({ kind: 'try-again', reason: Reason.CardRemoved }, toman)).toMatchObject({ line1: 'دوباره کارت بزنید', led: 'amber' });
    expect(screenFor({ kind: 'out-of-service', why: 'no reader' }, toman).english).toBe('OUT OF SERVICE: no reader');
  });
});
