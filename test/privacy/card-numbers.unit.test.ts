/** What counts as a card number, what the web layer withholds, and what the test scanner finds. */
import { describe, expect, it } from 'vitest';
import { cardLikeNumbers, containsCardLikeNumber, isCardLike, luhnValid, redactCardNumbers } from '../../src/privacy/card-numbers.js';
import { callerDigits } from '../../src/webhooks/caller-digits.js';
import { maskCardNumber } from '../../src/webhooks/params.js';
import { cardDataFindings } from '../helpers/card-data-scanner.js';

describe('card-like numbers', () => {
  it('Luhn', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('378282246310005')).toBe(true);
    expect(luhnValid('')).toBe(false);
  });

  it('13 to 19 digits passing Luhn, with spaces or dashes between digits', () => {
    expect(isCardLike('4111111111111111')).toBe(true);
    expect(isCardLike('411111111111')).toBe(false); // 12 digits
    expect(cardLikeNumbers('card 4111 1111 1111 1111 and 5555-5555-5555-4444, not 4111111111111112')).toEqual(['4111111111111111', '5555555555554444']);
    expect(containsCardLikeNumber('order 73021')).toBe(false);
  });

  it('redacts card-like numbers in free text and leaves other numbers', () => {
    expect(redactCardNumbers('card 4111 1111 1111 1111 declined (code 12345)')).toBe('card [card number removed] declined (code 12345)');
    expect(redactCardNumbers('invoice 1234567890123')).toBe('invoice 1234567890123');
  });
});

describe('what the web layer lets through from a <Gather>', () => {
  it('order numbers and menu choices as keyed', () => {
    expect(callerDigits('73021#', 12)).toEqual({ digits: '73021#' });
    expect(callerDigits('1', 12)).toEqual({ digits: '1' });
    expect(callerDigits('', 12)).toEqual({ digits: '' });
  });

  it('withholds card-like numbers, however separated, and anything longer than an order number', () => {
    expect(callerDigits('4111111111111111#', 12)).toEqual({ digits: '', withheld: 'card-number' });
    expect(callerDigits('4111*1111*1111*1111', 12)).toEqual({ digits: '', withheld: 'card-number' });
    expect(callerDigits('4111111111111111', 30)).toEqual({ digits: '', withheld: 'card-number' }); // even where long order numbers are allowed
    expect(callerDigits('1234567890123', 12)).toEqual({ digits: '', withheld: 'too-long' });
    expect(callerDigits('1234567890123', 13)).toEqual({ digits: '1234567890123' }); // not Luhn-valid
  });

  it('keeps only the last four digits of a card number field', () => {
    expect(maskCardNumber('xxxx-xxxx-xxxx-4242')).toBe('xxxx-xxxx-xxxx-4242');
    expect(maskCardNumber('4242424242424242')).toBe('xxxx-xxxx-xxxx-4242');
    expect(maskCardNumber('xxxx-xxxxxx-x4001')).toBe('xxxx-xxxxxx-x4001');
  });
});

describe('the card-data scanner', () => {
  it('finds card numbers and security codes, showing them masked', () => {
    const findings = cardDataFindings('{"Digits":"4242424242424242","SecurityCode":"123"}', 'here');
    expect(findings.map((f) => [f.kind, f.value])).toEqual([
      ['card-number', '••••4242'],
      ['security-code', '•••'],
    ]);
    expect(JSON.stringify(findings)).not.toContain('4242424242424242');
  });

  it('does not mistake epoch milliseconds (this one passes Luhn) or hex ids for cards', () => {
    expect(cardDataFindings('{"time":1796163194600,"id":"a1b2c3d4111111111111111e5"}')).toEqual([]);
  });
});
