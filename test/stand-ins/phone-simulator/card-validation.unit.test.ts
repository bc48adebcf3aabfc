import { describe, expect, it } from 'vitest';
import {
  checkCardNumber,
  checkExpiry,
  checkPostalCode,
  checkSecurityCode,
  detectCardType,
  luhnValid,
  maskCardNumber,
  maskSecurityCode,
} from '../../../src/stand-ins/phone-simulator/card-validation.js';

describe('card validation', () => {
  it('Luhn', () => {
    expect(luhnValid('4242424242424242')).toBe(true);
    expect(luhnValid('4242424242424241')).toBe(false);
    expect(luhnValid('378282246310005')).toBe(true);
    expect(luhnValid('42a2')).toBe(false);
  });

  it('detects brands by IIN', () => {
    expect(detectCardType('4242424242424242')).toBe('visa');
    expect(detectCardType('5555555555554444')).toBe('mastercard');
    expect(detectCardType('2223003122003222')).toBe('mastercard');
    expect(detectCardType('378282246310005')).toBe('amex');
    expect(detectCardType('6011111111111117')).toBe('discover');
    expect(detectCardType('3566002020360505')).toBe('jcb');
    expect(detectCardType('36227206271667')).toBe('diners-club');
    expect(detectCardType('9999999999999995')).toBeUndefined();
  });

  it('checks the number: digits, Luhn, brand length, accepted brand', () => {
    const cards = ['visa', 'mastercard', 'amex'];
    expect(checkCardNumber('4242424242424242', cards)).toEqual({ ok: true, cardType: 'visa' });
    expect(checkCardNumber('4242424242424241', cards)).toMatchObject({ ok: false, errorType: 'invalid-card-number' });
    expect(checkCardNumber('42424242', cards)).toMatchObject({ ok: false, errorType: 'invalid-card-number' });
    expect(checkCardNumber('6011111111111117', cards)).toMatchObject({ ok: false, errorType: 'invalid-card-type' });
    expect(checkCardNumber('378282246310005', ['visa'])).toMatchObject({ ok: false, errorType: 'invalid-card-type' });
  });

  it('checks expiry MMYY against the current month', () => {
    const now = new Date(Date.UTC(2026, 10, 27)); // November 2026
    expect(checkExpiry('1126', now)).toEqual({ ok: true });
    expect(checkExpiry('1234', now)).toEqual({ ok: true });
    expect(checkExpiry('1026', now)).toMatchObject({ ok: false, errorType: 'invalid-date', reason: 'card has expired' });
    expect(checkExpiry('1326', now)).toMatchObject({ ok: false, errorType: 'invalid-date' });
    expect(checkExpiry('0034', now)).toMatchObject({ ok: false, errorType: 'invalid-date' });
    expect(checkExpiry('123', now)).toMatchObject({ ok: false, errorType: 'invalid-date' });
  });

  it('checks the security code length by brand, and the postal code', () => {
    expect(checkSecurityCode('123', 'visa')).toEqual({ ok: true });
    expect(checkSecurityCode('1234', 'visa')).toMatchObject({ ok: false, errorType: 'invalid-security-code' });
    expect(checkSecurityCode('1234', 'amex')).toEqual({ ok: true });
    expect(checkSecurityCode('123', 'amex')).toMatchObject({ ok: false, errorType: 'invalid-security-code' });
    expect(checkPostalCode('94107')).toEqual({ ok: true });
    expect(checkPostalCode('941', 5)).toMatchObject({ ok: false, errorType: 'invalid-postal-code' });
  });

  it('masks like Twilio', () => {
    expect(maskCardNumber('4242424242424242', 'visa')).toBe('xxxx-xxxx-xxxx-4242');
    expect(maskCardNumber('378282246310005', 'amex')).toBe('xxxx-xxxxxx-x0005');
    expect(maskSecurityCode('123')).toBe('xxx');
    expect(maskSecurityCode('1234')).toBe('xxxx');
  });
});
