/**
 * Amount rules Stripe applies to charges: minimum and maximum amounts per currency, and how
 * amounts appear in error messages.
 */

const zeroDecimal = new Set(['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf']);

/** Stripe's documented minimum charge amounts (minor units) for common settlement currencies. */
const minimums: Record<string, number> = {
  usd: 50, aud: 50, brl: 50, cad: 50, chf: 50, dkk: 250, eur: 50, gbp: 30, hkd: 400, inr: 50, jpy: 50,
  mxn: 10, nok: 300, nzd: 50, sek: 300, sgd: 50,
};

const symbols: Record<string, string> = { usd: '$', cad: '$', aud: '$', nzd: '$', sgd: '$', hkd: '$', eur: '€', gbp: '£', jpy: '¥' };

export const maxAmount = 99_999_999;

export function minimumAmount(currency: string): number {
  return Object.hasOwn(minimums, currency) ? (minimums[currency] as number) : 1;
}

/** `1999, 'usd'` → `$19.99`; `500, 'jpy'` → `¥500`; unknown currencies show the code. */
export function formatAmount(amount: number, currency: string): string {
  const value = zeroDecimal.has(currency) ? String(amount) : (amount / 100).toFixed(2);
  const symbol = Object.hasOwn(symbols, currency) ? symbols[currency] : undefined;
  return symbol === undefined ? `${value} ${currency}` : `${symbol}${value}`;
}
