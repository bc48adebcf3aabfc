/** The billing postal code <Pay> posts in the clear is kept only masked, from the webhook on (and through a held caller's continue link). */
import { describe, expect, it } from 'vitest';
import { maskPostalCode } from '../../src/privacy/redact.js';
import { continueQuery, continueUrl } from '../../src/webhooks/continue-link.js';
import { payParams, toPayResult } from '../../src/webhooks/params.js';

describe('postal code', () => {
  it('keeps the last two characters', () => {
    expect(maskPostalCode('94107')).toBe('***07');
    expect(maskPostalCode('100-0001')).toBe('*****01');
    expect(maskPostalCode('SW1A 1AA')).toBe('*****AA');
    expect(maskPostalCode('7')).toBe('*');
  });

  it('a <Pay> action with PaymentCardPostalCode becomes a PayResult with the mask only, which survives a continue link', () => {
    const params = payParams.parse({ CallSid: `CA${'a'.repeat(32)}`, AccountSid: `AC${'b'.repeat(32)}`, Result: 'success', PaymentToken: 'pm_card_jcb', PaymentCardType: 'jcb', PaymentCardPostalCode: '1000001' });
    const pay = toPayResult(params);
    expect(pay.postalCode).toBe('*****01');
    expect(JSON.stringify(pay)).not.toContain('1000001');
    const url = new URL(continueUrl('https://paycall.example.com', 'pay:1', { kind: 'pay-result', turn: 3, pay }, 1));
    const back = continueQuery.parse(Object.fromEntries(url.searchParams));
    expect(back.e).toMatchObject({ kind: 'pay-result', pay: { postalCode: '*****01' } });
  });

  it('without the field, no postal code', () => {
    expect(toPayResult(payParams.parse({ CallSid: `CA${'a'.repeat(32)}`, AccountSid: `AC${'b'.repeat(32)}`, Result: 'success', PaymentToken: 'pm_card_jcb' })).postalCode).toBeUndefined();
  });
});
