/** Money for display: Intl.NumberFormat over Stripe's minor units, in the operator's and the caller's locale. */
import { describe, expect, it } from 'vitest';
import { formatMoney } from '../../src/money/format.js';

describe('formatMoney', () => {
  it('shows yen and dollars as people in the US read them (operators: en-US)', () => {
    expect(formatMoney(6480, 'jpy')).toBe('¥6,480');
    expect(formatMoney(1999, 'usd')).toBe('$19.99');
    expect(formatMoney(5, 'usd')).toBe('$0.05');
    expect(formatMoney(123456789, 'USD')).toBe('$1,234,567.89');
  });

  it('shows yen as a caller in Japan reads it (ja-JP): 6,480円', () => {
    expect(formatMoney(6480, 'jpy', 'ja-JP')).toBe('6,480円');
    expect(formatMoney(648000, 'jpy', 'ja-JP')).toBe('648,000円');
    // Other currencies keep their symbol in Japanese text.
    expect(formatMoney(1999, 'usd', 'ja-JP')).toBe('$19.99');
  });

  it('follows Stripe’s zero-decimal rule for another zero-decimal currency (KRW)', () => {
    // 15000 minor units of a zero-decimal currency are ₩15,000, not ₩150.00.
    expect(formatMoney(15000, 'krw')).toBe('₩15,000');
    expect(formatMoney(15000, 'krw', 'ja-JP')).toBe('₩15,000');
  });

  it('shows a two-decimal currency other than the dollar (EUR) with its cents', () => {
    expect(formatMoney(1999, 'eur')).toBe('€19.99');
    expect(formatMoney(50, 'eur')).toBe('€0.50');
    expect(formatMoney(100000, 'eur', 'ja-JP')).toBe('€1,000.00');
  });

  it('never guesses: an unknown currency or a non-integer stays in minor units', () => {
    expect(formatMoney(100, 'xyz')).toBe('100 XYZ (minor units)');
    expect(formatMoney(19.99, 'usd')).toBe('19.99 USD (minor units)');
    expect(formatMoney(100, undefined)).toBe('100 (minor units)');
    expect(formatMoney(undefined, 'usd')).toBe('?');
  });
});
