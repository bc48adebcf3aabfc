/**
 * Amount rules Stripe applies to charges: the minimum and maximum per currency, and how
 * amounts appear in error messages. Stripe's rules are read from paycall's one currency list
 * (src/money/currencies.ts), so paycall's import checks and this stand-in cannot drift apart.
 */
import { minimumCharge, stripeExponent, stripeMaximumCharge } from '../../money/currencies.js';

const symbols: Record<string, string> = { usd: '$', cad: '$', aud: '$', nzd: '$', sgd: '$', hkd: '$', mxn: '$', eur: '€', gbp: '£', jpy: '¥', krw: '₩' };

export const maxAmount = stripeMaximumCharge;

/**
 * Stripe's minimum for the currency. A currency outside Stripe's table must convert to at
 * least US$0.50, which needs exchange rates the sandbox does not have: it takes any amount.
 */
export function minimumAmount(currency: string): number {
  return minimumCharge(currency) ?? 1;
}

/** `1999, 'usd'` → `$19.99`; `500, 'jpy'` → `¥500`; unknown currencies show the code. */
export function formatAmount(amount: number, currency: string): string {
  const exponent = stripeExponent(currency);
  const value = (amount / 10 ** exponent).toFixed(exponent);
  const symbol = Object.hasOwn(symbols, currency) ? symbols[currency] : undefined;
  return symbol === undefined ? `${value} ${currency}` : `${symbol}${value}`;
}
