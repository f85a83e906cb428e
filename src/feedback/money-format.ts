/** How amounts appear on the passenger display. Money stays integer rials everywhere else. */
export type MoneyUnit = 'rial' | 'toman';

const persianNumber = new Intl.NumberFormat('fa-IR', { maximumFractionDigits: 1 });
const latinNumber = new Intl.NumberFormat('en-US');

/** Persian digits and unit name: 37000 rials as toman → "۳٬۷۰۰ تومان". */
export function formatMoneyFa(rials: number, unit: MoneyUnit): string {
  return unit === 'toman' ? `${persianNumber.format(rials / 10)} تومان` : `${persianNumber.format(rials)} ریال`;
}

/** For the depot line: always rials, Latin digits. */
export function formatMoneyEn(rials: number): string {
  return `${latinNumber.format(rials)} IRR`;
}
