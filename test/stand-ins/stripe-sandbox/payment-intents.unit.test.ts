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

/** The parameters paycall sends for a MOTO charge of a card it got from Twilio <Pay>. */
function motoCharge(paymentMethod: string, extra: Partial<Stripe.PaymentIntentCreateParams> = {}): Stripe.PaymentIntentCreateParams {
  return {
    amount: 1999,
    currency: 'usd',
    confirm: true,
    payment_method: paymentMethod,
    description: 'Order 42',
    metadata: { call_sid: 'CA0001', order_id: '42' },
    error_on_requires_action: true,
    payment_method_options: { card: { moto: true } },
    allowed_payment_method_types: ['card'],
    ...extra,
  };
}

describe('PaymentIntents: create and confirm', () => {
  it('create+confirm with pm_card_visa succeeds with a charge', async () => {
    const pi = await stripe.paymentIntents.create(motoCharge('pm_card_visa'));
    expect(pi.id).toMatch(/^pi_/);
    expect(pi.object).toBe('payment_intent');
    expect(pi.status).toBe('succeeded');
    expect(pi.amount).toBe(1999);
    expect(pi.amount_received).toBe(1999);
    expect(pi.currency).toBe('usd');
    expect(pi.description).toBe('Order 42');
    expect(pi.metadata).toEqual({ call_sid: 'CA0001', order_id: '42' });
    expect(pi.latest_charge).toMatch(/^ch_/);
    expect(pi.last_payment_error).toBeNull();
    // Sandbox extra (not in Stripe's response types): the MOTO flag is echoed so tests can see it was sent.
    expect((pi.payment_method_options?.card as { moto?: boolean } | undefined)?.moto).toBe(true);
    // A test id becomes a real PaymentMethod, as in Stripe test mode.
    expect(pi.payment_method).toMatch(/^pm_/);
    expect(pi.payment_method).not.toBe('pm_card_visa');
    const pm = await stripe.paymentMethods.retrieve(pi.payment_method as string);
    expect(pm.card).toMatchObject({ brand: 'visa', last4: '4242' });
    expect(pi.created).toBeGreaterThan(Date.now() / 1000 - 60);
  });

  it('create without confirm, then confirm', async () => {
    const created = await stripe.paymentIntents.create({
      amount: 500,
      currency: 'usd',
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
    });
    expect(created.status).toBe('requires_payment_method');
    expect(created.payment_method).toBeNull();
    expect(created.automatic_payment_methods).toEqual({ enabled: true, allow_redirects: 'never' });
    const confirmed = await stripe.paymentIntents.confirm(created.id, {
      payment_method: 'pm_card_mastercard',
      payment_method_options: { card: { moto: true } },
    });
    expect(confirmed.id).toBe(created.id);
    expect(confirmed.status).toBe('succeeded');
    expect(confirmed.amount_received).toBe(500);
  });

  it('a PaymentIntent with a payment method waits in requires_confirmation', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 700, currency: 'eur', payment_method: 'pm_card_amex' });
    expect(pi.status).toBe('requires_confirmation');
    const confirmed = await stripe.paymentIntents.confirm(pi.id);
    expect(confirmed.status).toBe('succeeded');
  });
});

describe('PaymentIntents: Stripe test PaymentMethods', () => {
  const successes: Array<[string, string, string]> = [
    ['pm_card_visa', 'visa', '4242'],
    ['pm_card_mastercard', 'mastercard', '4444'],
    ['pm_card_amex', 'amex', '0005'],
  ];
  it.each(successes)('%s succeeds (%s •••• %s)', async (id, brand, last4) => {
    const pi = await stripe.paymentIntents.create(motoCharge(id));
    expect(pi.status).toBe('succeeded');
    const pm = await stripe.paymentMethods.retrieve(pi.payment_method as string);
    expect(pm.card).toMatchObject({ brand, last4 });
  });

  const declines: Array<[string, string, string | undefined]> = [
    ['pm_card_visa_chargeDeclined', 'card_declined', 'generic_decline'],
    ['pm_card_chargeDeclined', 'card_declined', 'generic_decline'],
    ['pm_card_visa_chargeDeclinedInsufficientFunds', 'card_declined', 'insufficient_funds'],
    ['pm_card_chargeDeclinedInsufficientFunds', 'card_declined', 'insufficient_funds'],
    ['pm_card_visa_chargeDeclinedLostCard', 'card_declined', 'lost_card'],
    ['pm_card_visa_chargeDeclinedStolenCard', 'card_declined', 'stolen_card'],
    ['pm_card_chargeDeclinedExpiredCard', 'expired_card', undefined],
    ['pm_card_chargeDeclinedIncorrectCvc', 'incorrect_cvc', undefined],
    ['pm_card_chargeDeclinedProcessingError', 'processing_error', undefined],
  ];
  it.each(declines)('%s → StripeCardError %s / %s with the PaymentIntent', async (id, code, declineCode) => {
    const err = await caught(() => stripe.paymentIntents.create(motoCharge(id)));
    expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(err.statusCode).toBe(402);
    expect(err.rawType).toBe('card_error');
    expect(err.code).toBe(code);
    if (declineCode === undefined) expect(err.raw).not.toHaveProperty('decline_code');
    else expect(err.decline_code).toBe(declineCode);
    expect(err.message.length).toBeGreaterThan(10);
    expect(err.charge).toMatch(/^ch_/);
    const pi = err.payment_intent;
    expect(pi?.id).toMatch(/^pi_/);
    expect(pi?.status).toBe('requires_payment_method');
    expect(pi?.payment_method).toBeNull();
    expect(pi?.amount_received).toBe(0);
    expect(pi?.last_payment_error).toMatchObject({ type: 'card_error', code, charge: err.charge });
    expect(pi?.metadata).toEqual({ call_sid: 'CA0001', order_id: '42' });
    // The stored PaymentIntent is in the same state.
    const stored = await stripe.paymentIntents.retrieve(pi?.id as string);
    expect(stored.status).toBe('requires_payment_method');
    expect(stored.last_payment_error?.code).toBe(code);
  });

  it('pm_card_threeDSecure2Required parks in requires_action without error_on_requires_action', async () => {
    const pi = await stripe.paymentIntents.create({
      amount: 1999,
      currency: 'usd',
      confirm: true,
      payment_method: 'pm_card_threeDSecure2Required',
    });
    expect(pi.status).toBe('requires_action');
    expect(pi.next_action?.type).toBe('use_stripe_sdk');
    expect(pi.payment_method).toMatch(/^pm_/);
    expect(pi.latest_charge).toBeNull();
  });

  it('pm_card_threeDSecure2Required with error_on_requires_action=true → authentication_required (MOTO does not exempt it)', async () => {
    const err = await caught(() => stripe.paymentIntents.create(motoCharge('pm_card_threeDSecure2Required')));
    expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(err.code).toBe('authentication_required');
    expect(err.decline_code).toBe('authentication_required');
    expect(err.payment_intent?.status).toBe('requires_payment_method');
    expect(err.payment_intent?.last_payment_error?.code).toBe('authentication_required');
  });

  it('off_session with a 3DS card → authentication_required', async () => {
    const err = await caught(() =>
      stripe.paymentIntents.create({
        amount: 1999,
        currency: 'usd',
        confirm: true,
        off_session: true,
        payment_method: 'pm_card_threeDSecure2Required',
      }),
    );
    expect(err.code).toBe('authentication_required');
  });

  it('an unknown payment method is resource_missing and creates no PaymentIntent', async () => {
    const before = await stripe.paymentIntents.list({ limit: 100 });
    const err = await caught(() => stripe.paymentIntents.create(motoCharge('pm_doesNotExist')));
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err.code).toBe('resource_missing');
    expect(err.param).toBe('payment_method');
    const after = await stripe.paymentIntents.list({ limit: 100 });
    expect(after.data.map((p) => p.id)).toEqual(before.data.map((p) => p.id));
  });
});

describe('PaymentIntents: after a decline', () => {
  it('re-confirms the same PaymentIntent with a new card (Stripe MOTO guide)', async () => {
    const err = await caught(() => stripe.paymentIntents.create(motoCharge('pm_card_visa_chargeDeclinedInsufficientFunds')));
    const declined = err.payment_intent as Stripe.PaymentIntent;
    expect(declined.status).toBe('requires_payment_method');
    const retried = await stripe.paymentIntents.confirm(declined.id, {
      payment_method: 'pm_card_visa',
      error_on_requires_action: true,
      payment_method_options: { card: { moto: true } },
    });
    expect(retried.id).toBe(declined.id);
    expect(retried.status).toBe('succeeded');
    expect(retried.amount_received).toBe(1999);
    expect(retried.last_payment_error).toBeNull();
    expect(retried.latest_charge).not.toBe(err.charge);
  });

  it('re-confirming with another declining card declines again on the same PaymentIntent', async () => {
    const first = await caught(() => stripe.paymentIntents.create(motoCharge('pm_card_chargeDeclinedExpiredCard')));
    const id = first.payment_intent?.id as string;
    const second = await caught(() => stripe.paymentIntents.confirm(id, { payment_method: 'pm_card_chargeDeclinedIncorrectCvc' }));
    expect(second.code).toBe('incorrect_cvc');
    expect(second.payment_intent?.id).toBe(id);
  });

  it('confirming without any payment method is refused', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 500, currency: 'usd' });
    const err = await caught(() => stripe.paymentIntents.confirm(pi.id));
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err.code).toBe('payment_intent_unexpected_state');
  });

  it('a succeeded PaymentIntent cannot be confirmed or canceled again', async () => {
    const pi = await stripe.paymentIntents.create(motoCharge('pm_card_visa'));
    const confirmErr = await caught(() => stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' }));
    expect(confirmErr.code).toBe('payment_intent_unexpected_state');
    expect(confirmErr.message).toMatch(/already succeeded/);
    const cancelErr = await caught(() => stripe.paymentIntents.cancel(pi.id));
    expect(cancelErr.code).toBe('payment_intent_unexpected_state');
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('succeeded');
  });
});

describe('PaymentIntents: cancel and manual capture', () => {
  it('cancels an unpaid PaymentIntent', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 500, currency: 'usd' });
    const canceled = await stripe.paymentIntents.cancel(pi.id, { cancellation_reason: 'abandoned' });
    expect(canceled.status).toBe('canceled');
    expect(canceled.cancellation_reason).toBe('abandoned');
    expect(canceled.canceled_at).toEqual(expect.any(Number));
    const err = await caught(() => stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' }));
    expect(err.code).toBe('payment_intent_unexpected_state');
  });

  it('capture_method=manual authorizes, then capture settles', async () => {
    const pi = await stripe.paymentIntents.create(motoCharge('pm_card_visa', { capture_method: 'manual' }));
    expect(pi.status).toBe('requires_capture');
    expect(pi.amount_capturable).toBe(1999);
    expect(pi.amount_received).toBe(0);
    const captured = await stripe.paymentIntents.capture(pi.id);
    expect(captured.status).toBe('succeeded');
    expect(captured.amount_received).toBe(1999);
    expect(captured.amount_capturable).toBe(0);
  });
});

describe('PaymentIntents: retrieve and list', () => {
  it('retrieves by id; an unknown id is a 404 resource_missing', async () => {
    const pi = await stripe.paymentIntents.create(motoCharge('pm_card_visa'));
    const got = await stripe.paymentIntents.retrieve(pi.id);
    expect(got).toEqual(pi);
    const err = await caught(() => stripe.paymentIntents.retrieve('pi_unknown'));
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe('resource_missing');
  });

  it('lists newest first with limit, starting_after and ending_before', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await stripe.paymentIntents.create({ amount: 100 + i, currency: 'usd', metadata: { n: String(i) } })).id);
    }
    const newestFirst = [...ids].reverse();
    const page1 = await stripe.paymentIntents.list({ limit: 2 });
    expect(page1.object).toBe('list');
    expect(page1.data.map((p) => p.id)).toEqual(newestFirst.slice(0, 2));
    expect(page1.has_more).toBe(true);
    const page2 = await stripe.paymentIntents.list({ limit: 2, starting_after: newestFirst[1] as string });
    expect(page2.data.map((p) => p.id)).toEqual(newestFirst.slice(2, 4));
    const back = await stripe.paymentIntents.list({ limit: 2, ending_before: newestFirst[2] as string });
    expect(back.data.map((p) => p.id)).toEqual(newestFirst.slice(0, 2));
    // auto-pagination walks every page
    const all: string[] = [];
    for await (const p of stripe.paymentIntents.list({ limit: 2 })) all.push(p.id);
    expect(all.slice(0, 5)).toEqual(newestFirst);
    expect(new Set(all).size).toBe(all.length);
  });

  it('limit must be 1..100', async () => {
    const err = await caught(() => stripe.paymentIntents.list({ limit: 101 }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err.param).toBe('limit');
    const max = await stripe.paymentIntents.list({ limit: 100 });
    expect(max.data.length).toBeGreaterThan(5);
  });
});

describe('PaymentIntents: expand', () => {
  it('expands payment_method on create, confirm, retrieve and list; nothing else', async () => {
    const pi = await stripe.paymentIntents.create({ ...motoCharge('pm_card_mastercard'), expand: ['payment_method'] });
    const pm = pi.payment_method as Stripe.PaymentMethod;
    expect(pm.object).toBe('payment_method');
    expect(pm.card).toMatchObject({ brand: 'mastercard', last4: '4444' });
    const got = await stripe.paymentIntents.retrieve(pi.id, { expand: ['payment_method'] });
    expect((got.payment_method as Stripe.PaymentMethod).id).toBe(pm.id);
    expect((await stripe.paymentIntents.retrieve(pi.id)).payment_method).toBe(pm.id);
    const list = await stripe.paymentIntents.list({ limit: 1, expand: ['data.payment_method'] });
    expect((list.data[0]?.payment_method as Stripe.PaymentMethod).id).toBe(pm.id);
    const open = await stripe.paymentIntents.create({ amount: 500, currency: 'usd' });
    const confirmed = await stripe.paymentIntents.confirm(open.id, { payment_method: 'pm_card_visa', expand: ['payment_method'] });
    expect((confirmed.payment_method as Stripe.PaymentMethod).card?.last4).toBe('4242');
    const err = await caught(() => stripe.paymentIntents.retrieve(pi.id, { expand: ['latest_charge'] }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err.message).toMatch(/cannot be expanded \(latest_charge\)/);
  });
});

describe('PaymentIntents: parameter validation', () => {
  it('rejects unknown parameters, nested ones by full path', async () => {
    const top = await caught(() =>
      stripe.paymentIntents.create({ amount: 500, currency: 'usd', customer: 'cus_123' } as Stripe.PaymentIntentCreateParams),
    );
    expect(top).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(top.statusCode).toBe(400);
    expect(top.code).toBe('parameter_unknown');
    expect(top.param).toBe('customer');
    expect(top.message).toBe('Received unknown parameter: customer');
    const nested = await caught(() =>
      stripe.paymentIntents.create({
        amount: 500,
        currency: 'usd',
        confirm: true,
        payment_method: 'pm_card_visa',
        payment_method_options: { card: { request_three_d_secure: 'any' } },
      }),
    );
    expect(nested.code).toBe('parameter_unknown');
    expect(nested.param).toBe('payment_method_options[card][request_three_d_secure]');
  });

  it('checks amount, currency and confirm-only parameters', async () => {
    const missing = await caught(() => stripe.paymentIntents.create({ currency: 'usd' } as Stripe.PaymentIntentCreateParams));
    expect(missing.code).toBe('parameter_missing');
    expect(missing.param).toBe('amount');
    const small = await caught(() => stripe.paymentIntents.create({ amount: 10, currency: 'usd' }));
    expect(small.code).toBe('amount_too_small');
    const notInt = await caught(() => stripe.paymentIntents.create({ amount: 12.5, currency: 'usd' }));
    expect(notInt.code).toBe('parameter_invalid_integer');
    const motoWithoutConfirm = await caught(() =>
      stripe.paymentIntents.create({ amount: 500, currency: 'usd', payment_method_options: { card: { moto: true } } }),
    );
    expect(motoWithoutConfirm.param).toBe('payment_method_options[card][moto]');
  });
});
