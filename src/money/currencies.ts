/**
 * The one list of currencies: which ones paycall takes (the order book, an operator's
 * amount), and Stripe's rules for them: how many decimals an amount has in minor units,
 * the smallest and largest charge. Order import, the money helpers and the Stripe sandbox
 * all read it, so they cannot disagree. Pure data (the call workflow imports it).
 *
 * Stripe's facts are from https://docs.stripe.com/currencies: "Zero-decimal currencies",
 * "Three-decimal currencies", "Minimum and maximum charge amounts".
 */

/** Stripe's zero-decimal currencies: the amount is in whole units (¥500 is `500`). */
export const stripeZeroDecimalCurrencies: ReadonlySet<string> = new Set([
  'bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf',
]);

/** Stripe's three-decimal currencies (the last digit must be 0). */
export const stripeThreeDecimalCurrencies: ReadonlySet<string> = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

/**
 * Stripe's minimum charge per currency, in minor units ("$0.50 US or the equivalent"; the
 * table on Stripe's page). KRW is not in Stripe's table: a KRW charge must convert to at
 * least US$0.50 at the day's rate, so paycall holds it to ₩1,000 (about US$0.70), a margin
 * for exchange-rate moves.
 */
export const stripeMinimumCharges: Readonly<Record<string, number>> = {
  usd: 50, aed: 200, aud: 50, bgn: 100, brl: 50, cad: 50, chf: 50, czk: 1500, dkk: 250, eur: 50, gbp: 30,
  hkd: 400, huf: 17500, inr: 50, jpy: 50, krw: 1000, mxn: 1000, myr: 200, nok: 300, nzd: 50, pln: 200,
  ron: 200, sek: 300, sgd: 50, thb: 1000,
};

/** Stripe's largest amount for any currency: eight digits of minor units. */
export const stripeMaximumCharge = 99_999_999;

/**
 * The currencies paycall takes: each one Stripe charges, with spoken names in both
 * languages (src/money/money.ts). Adding one here means adding its spoken names there.
 */
export const paycallCurrencies = ['aud', 'cad', 'eur', 'gbp', 'jpy', 'krw', 'usd'] as const;
export type PaycallCurrency = (typeof paycallCurrencies)[number];

export function isSupportedCurrency(currency: string): currency is PaycallCurrency {
  return (paycallCurrencies as readonly string[]).includes(currency.toLowerCase());
}

/** Digits after the decimal point in Stripe's minor units, for any currency code. */
export function stripeExponent(currency: string): number {
  const code = currency.toLowerCase();
  if (stripeZeroDecimalCurrencies.has(code)) return 0;
  if (stripeThreeDecimalCurrencies.has(code)) return 3;
  return 2;
}

/** Digits after the decimal point for a currency paycall takes; any other is an error. */
export function currencyExponent(currency: string): number {
  if (!isSupportedCurrency(currency)) throw new Error(`Unsupported currency: ${currency}`);
  return stripeExponent(currency);
}

/** Stripe's smallest charge (minor units) for a currency, when Stripe's table has one. */
export function minimumCharge(currency: string): number | undefined {
  const code = currency.toLowerCase();
  return Object.hasOwn(stripeMinimumCharges, code) ? stripeMinimumCharges[code] : undefined;
}
