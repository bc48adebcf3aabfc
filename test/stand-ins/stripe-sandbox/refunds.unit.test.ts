import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caught, startTestSandbox, type TestSandbox } from './helpers.js';

let t: TestSandbox;
let stripe: Stripe;

beforeAll(async () => {
  t = await startTestSandbox();
  stripe = t.client();
});
afterAll(async () => {
  await t.stop();
});

async function paid(amount = 3000): Promise<Stripe.PaymentIntent> {
  const pi = await stripe.paymentIntents.create({ amount, currency: 'usd', confirm: true, payment_method: 'pm_card_visa' });
  expect(pi.status).toBe('succeeded');
  return pi;
}

describe('Refunds', () => {
  it('refunds in full by payment_intent when amount is omitted', async () => {
    const pi = await paid(3000);
    const refund = await stripe.refunds.create({ payment_intent: pi.id, reason: 'requested_by_customer', metadata: { call_sid: 'CA9' } });
    expect(refund.id).toMatch(/^re_/);
    expect(refund.object).toBe('refund');
    expect(refund.amount).toBe(3000);
    expect(refund.currency).toBe('usd');
    expect(refund.status).toBe('succeeded');
    expect(refund.payment_intent).toBe(pi.id);
    expect(refund.charge).toBe(pi.latest_charge);
    expect(refund.reason).toBe('requested_by_customer');
    expect(refund.metadata).toEqual({ call_sid: 'CA9' });
    const again = await caught(() => stripe.refunds.create({ payment_intent: pi.id }));
    expect(again).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(again.code).toBe('charge_already_refunded');
  });

  it('refunds partially, several times, until nothing is left', async () => {
    const pi = await paid(3000);
    const first = await stripe.refunds.create({ payment_intent: pi.id, amount: 1000 });
    expect(first.amount).toBe(1000);
    const tooMuch = await caught(() => stripe.refunds.create({ payment_intent: pi.id, amount: 2001 }));
    expect(tooMuch).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(tooMuch.statusCode).toBe(400);
    expect(tooMuch.code).toBe('amount_too_large');
    expect(tooMuch.param).toBe('amount');
    expect(tooMuch.message).toContain('$20.00');
    const rest = await stripe.refunds.create({ charge: pi.latest_charge as string });
    expect(rest.amount).toBe(2000);
    const done = await caught(() => stripe.refunds.create({ payment_intent: pi.id, amount: 1 }));
    expect(done.code).toBe('charge_already_refunded');
    // The PaymentIntent itself stays succeeded.
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('succeeded');
  });

  it('refuses a refund larger than the charge', async () => {
    const pi = await paid(500);
    const err = await caught(() => stripe.refunds.create({ payment_intent: pi.id, amount: 501 }));
    expect(err.code).toBe('amount_too_large');
    const refunds = await stripe.refunds.list({ payment_intent: pi.id });
    expect(refunds.data).toEqual([]);
  });

  it('refuses PaymentIntents with nothing captured', async () => {
    const declined = await caught(() =>
      stripe.paymentIntents.create({ amount: 500, currency: 'usd', confirm: true, payment_method: 'pm_card_chargeDeclined' }),
    );
    const err = await caught(() => stripe.refunds.create({ payment_intent: declined.payment_intent?.id as string }));
    expect(err.code).toBe('charge_not_refundable');
    const uncaptured = await stripe.paymentIntents.create({
      amount: 500,
      currency: 'usd',
      confirm: true,
      payment_method: 'pm_card_visa',
      capture_method: 'manual',
    });
    expect((await caught(() => stripe.refunds.create({ payment_intent: uncaptured.id }))).code).toBe('charge_not_refundable');
    const missing = await caught(() => stripe.refunds.create({ payment_intent: 'pi_missing' }));
    expect(missing.code).toBe('resource_missing');
    expect(missing.param).toBe('payment_intent');
  });

  it('rejects bad parameters before doing anything', async () => {
    const pi = await paid(800);
    const zero = await caught(() => stripe.refunds.create({ payment_intent: pi.id, amount: 0 }));
    expect(zero.code).toBe('parameter_invalid_integer');
    const unknown = await caught(() =>
      stripe.refunds.create({ payment_intent: pi.id, instructions_email: 'a@b.c' } as Stripe.RefundCreateParams),
    );
    expect(unknown.code).toBe('parameter_unknown');
    const neither = await caught(() => stripe.refunds.create({ amount: 100 }));
    expect(neither).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect((await stripe.refunds.list({ payment_intent: pi.id })).data).toHaveLength(0);
  });

  it('retrieves and lists refunds by payment_intent, newest first', async () => {
    const pi = await paid(3000);
    const other = await paid(3000);
    const a = await stripe.refunds.create({ payment_intent: pi.id, amount: 100 });
    const b = await stripe.refunds.create({ payment_intent: pi.id, amount: 200 });
    await stripe.refunds.create({ payment_intent: other.id, amount: 300 });
    const c = await stripe.refunds.create({ payment_intent: pi.id, amount: 400 });
    expect(await stripe.refunds.retrieve(b.id)).toEqual(b);
    const list = await stripe.refunds.list({ payment_intent: pi.id });
    expect(list.data.map((r) => r.id)).toEqual([c.id, b.id, a.id]);
    const page = await stripe.refunds.list({ payment_intent: pi.id, limit: 2 });
    expect(page.data.map((r) => r.id)).toEqual([c.id, b.id]);
    expect(page.has_more).toBe(true);
    const byCharge = await stripe.refunds.list({ charge: other.latest_charge as string });
    expect(byCharge.data.map((r) => r.amount)).toEqual([300]);
    const err = await caught(() => stripe.refunds.retrieve('re_missing'));
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe('resource_missing');
  });

  it('partially captured PaymentIntents refund only what was captured', async () => {
    const pi = await stripe.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      confirm: true,
      payment_method: 'pm_card_visa',
      capture_method: 'manual',
    });
    await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 600 });
    const err = await caught(() => stripe.refunds.create({ payment_intent: pi.id, amount: 700 }));
    expect(err.code).toBe('amount_too_large');
    const refund = await stripe.refunds.create({ payment_intent: pi.id });
    expect(refund.amount).toBe(600);
  });
});
