/** The timeline line for a charge Stripe refused because the account has no MOTO, and for other charge outcomes in display money. */
import { describe, expect, it } from 'vitest';
import type { StepRecord } from '../../src/contract/steps.js';
import { summaryOf } from '../../src/operators/timeline/describe.js';

const base: StepRecord = { step: 'charge', attempt: 1, status: 'failed', startedAt: '2026-12-02T01:00:00.000Z', amount: 6480, currency: 'jpy' };

describe('charge summaries', () => {
  it('a MOTO refusal says why and what to change, not "card declined"', () => {
    const text = summaryOf({ ...base, errorType: 'StripeMotoNotEnabled', code: 'StripeMotoNotEnabled', message: 'Stripe refused payment_method_options[card][moto]' });
    expect(text).toBe(
      'Charge of ¥6,480 refused by Stripe: MOTO is not enabled for this Stripe account (STRIPE_MOTO=true sends payment_method_options[card][moto]); nothing was charged. Set STRIPE_MOTO=false or ask Stripe to enable MOTO',
    );
  });

  it('a good charge shows the amount as operators read it', () => {
    expect(summaryOf({ ...base, status: 'ok', paymentIntentId: 'pi_1', amount: 1999, currency: 'usd' })).toBe('Charged $19.99: pi_1 succeeded');
  });
});
