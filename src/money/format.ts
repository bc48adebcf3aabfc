/**
 * Money as people read it, with Intl.NumberFormat: `1999 usd` → `$19.99`, `6480 jpy` →
 * `¥6,480` for operators (en-US, the console, CLI, timelines), and `6,480円` for a caller in
 * Japan (ja-JP receipts). Minor units follow Stripe's decimals (currencies.ts). The spoken
 * form for text-to-speech is money.ts's `spokenAmount`, not this.
 */
import type { Locale } from '../contract/instructions.js';
import { currencyExponent, isSupportedCurrency } from './currencies.js';

const formatters = new Map<string, Intl.NumberFormat>();

function formatterFor(locale: Locale, code: string, exponent: number): Intl.NumberFormat {
  const key = `${locale}/${code}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: code,
      // Japanese readers write yen as 6,480円 (the symbol form would be ￥6,480); other
      // currencies keep their symbol, as Japanese price lists print them ($19.99).
      currencyDisplay: locale === 'ja-JP' && code === 'JPY' ? 'name' : 'symbol',
      minimumFractionDigits: exponent,
      maximumFractionDigits: exponent,
    });
    formatters.set(key, formatter);
  }
  return formatter;
}

/** Minor units of a currency paycall does not take are shown as such, never guessed. */
export function formatMoney(amount: number | undefined, currency: string | undefined, locale: Locale = 'en-US'): string {
  if (amount === undefined) return '?';
  if (!currency) return `${amount} (minor units)`;
  if (!isSupportedCurrency(currency) || !Number.isSafeInteger(amount)) return `${amount} ${currency.toUpperCase()} (minor units)`;
  const exponent = currencyExponent(currency);
  return formatterFor(locale, currency.toUpperCase(), exponent).format(amount / 10 ** exponent);
}
