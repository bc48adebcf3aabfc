import { describe, expect, it } from 'vitest';
import { spokenAmount, toDecimalString, currencyExponent } from '../../src/money/money.js';

describe('money', () => {
  it('knows per-currency exponents', () => {
    expect(currencyExponent('USD')).toBe(2);
    expect(currencyExponent('jpy')).toBe(0);
    expect(() => currencyExponent('xyz')).toThrow(/Unsupported currency/);
  });

  it('renders decimal strings from minor units', () => {
    expect(toDecimalString(1999, 'usd')).toBe('19.99');
    expect(toDecimalString(5, 'usd')).toBe('0.05');
    expect(toDecimalString(6480, 'jpy')).toBe('6480');
    expect(() => toDecimalString(19.99, 'usd')).toThrow(/integer/);
  });

  it('speaks amounts in both locales', () => {
    expect(spokenAmount(1999, 'usd', 'en-US')).toBe('19 dollars and 99 cents');
    expect(spokenAmount(100, 'usd', 'en-US')).toBe('1 dollar');
    expect(spokenAmount(648000, 'jpy', 'en-US')).toBe('648,000 yen');
    expect(spokenAmount(6480, 'jpy', 'ja-JP')).toBe('6,480円');
    expect(spokenAmount(1999, 'usd', 'ja-JP')).toBe('19ドル99セント');
  });
});
