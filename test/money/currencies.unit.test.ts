/** The one currency list: what paycall takes, and Stripe's decimals and charge limits for it. */
import { describe, expect, it } from 'vitest';
import {
  currencyExponent,
  isSupportedCurrency,
  minimumCharge,
  paycallCurrencies,
  stripeExponent,
  stripeMaximumCharge,
} from '../../src/money/currencies.js';
import { spokenAmount } from '../../src/money/money.js';

describe('currencies', () => {
  it('takes the currencies it can speak, in either case', () => {
    expect(isSupportedCurrency('JPY')).toBe(true);
    expect(isSupportedCurrency('krw')).toBe(true);
    expect(isSupportedCurrency('mxn')).toBe(false);
    expect(isSupportedCurrency('xyz')).toBe(false);
    // Every currency paycall takes has a spoken form in both languages and a Stripe minimum.
    for (const currency of paycallCurrencies) {
      expect(() => spokenAmount(100_000, currency, 'en-US')).not.toThrow();
      expect(() => spokenAmount(100_000, currency, 'ja-JP')).not.toThrow();
      expect(minimumCharge(currency), currency).toBeGreaterThan(0);
    }
  });

  it('uses Stripe’s zero- and three-decimal rules', () => {
    expect(currencyExponent('usd')).toBe(2);
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('krw')).toBe(0);
    expect(() => currencyExponent('mxn')).toThrow(/Unsupported currency: mxn/);
    expect(stripeExponent('vnd')).toBe(0);
    expect(stripeExponent('kwd')).toBe(3);
    expect(stripeExponent('mxn')).toBe(2);
  });

  it('knows Stripe’s minimum charges (about 50 US cents)', () => {
    expect(minimumCharge('usd')).toBe(50);
    expect(minimumCharge('JPY')).toBe(50);
    expect(minimumCharge('gbp')).toBe(30);
    expect(minimumCharge('mxn')).toBe(1000); // MX$10.00
    expect(minimumCharge('krw')).toBe(1000);
    expect(minimumCharge('xyz')).toBeUndefined();
    expect(stripeMaximumCharge).toBe(99_999_999);
  });
});
