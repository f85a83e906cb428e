/**
 * How amounts appear on the passenger display. Money stays integer rials everywhere else: the display
 * unit is a setting, so the redenomination (1 new rial = 10,000 rials) is a config change, not a data one.
 */
export type MoneyUnit = 'rial' | 'toman' | 'new-rial';

interface DisplayUnit {
  readonly rials: number;
  readonly name: string;
  readonly number: Intl.NumberFormat;
}

const persianDigits = (fractionDigits: number): Intl.NumberFormat => new Intl.NumberFormat('fa-IR', { maximumFractionDigits: fractionDigits });

/** Rials per display unit, its Persian name, and as many decimals as the unit needs to show every rial amount fares use. */
const UNITS: Readonly<Record<MoneyUnit, DisplayUnit>> = {
  rial: { rials: 1, name: 'ریال', number: persianDigits(0) },
  // A rial amount not a multiple of 10 shows its tenth of a toman rather than being rounded away.
  toman: { rials: 10, name: 'تومان', number: persianDigits(1) },
  // Two decimals: the new rial's hundredth (100 rials) is the smallest step fares are set in; smaller
  // remainders round half away from zero. "New" stays on the display while both rials circulate, so
  // no one reads ۳٫۷ as 3.7 old rials.
  'new-rial': { rials: 10_000, name: 'ریال جدید', number: persianDigits(2) },
};

const latinNumber = new Intl.NumberFormat('en-US');

/** Persian digits and unit name: 37000 rials as toman → "۳٬۷۰۰ تومان", as new rial → "۳٫۷ ریال جدید". */
export function formatMoneyFa(rials: number, unit: MoneyUnit): string {
  const u = UNITS[unit];
  return `${u.number.format(rials / u.rials)} ${u.name}`;
}

/** For the depot line: always rials, Latin digits. */
export function formatMoneyEn(rials: number): string {
  return `${latinNumber.format(rials)} IRR`;
}
