import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { caught, startTestSandbox, type TestSandbox } from './helpers.js';

let t: TestSandbox;
let stripe: Stripe;

beforeAll(async () => {
  t = await startTestSandbox();
  stripe = t.client();
});
afterEach(() => {
  t.sandbox.faults.reset();
});
afterAll(async () => {
  await t.stop();
});

const key = (): string => `test:${randomUUID()}`;

const params: Stripe.PaymentIntentCreateParams = {
  amount: 4200,
  currency: 'usd',
  confirm: true,
  payment_method: 'pm_card_visa',
  metadata: { call_sid: 'CA42' },
  payment_method_options: { card: { moto: true } },
  error_on_requires_action: true,
};

async function countPaymentIntents(): Promise<number> {
  let n = 0;
  for await (const _ of stripe.paymentIntents.list({ limit: 100 })) n++;
  return n;
}

describe('Idempotency-Key', () => {
  it('replays the saved response: the identical object, flagged Idempotent-Replayed', async () => {
    const idempotencyKey = key();
    const before = await countPaymentIntents();
    const first = await stripe.paymentIntents.create(params, { idempotencyKey });
    const second = await stripe.paymentIntents.create(params, { idempotencyKey });
    expect(second).toEqual(first);
    expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(second.lastResponse.idempotencyKey).toBe(idempotencyKey);
    expect(await countPaymentIntents()).toBe(before + 1);
  });

  it('replays saved errors too: a decline stays the same decline', async () => {
    const idempotencyKey = key();
    const declined = { ...params, payment_method: 'pm_card_visa_chargeDeclinedInsufficientFunds' };
    const first = await caught(() => stripe.paymentIntents.create(declined, { idempotencyKey }));
    const second = await caught(() => stripe.paymentIntents.create(declined, { idempotencyKey }));
    expect(second).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(second.decline_code).toBe('insufficient_funds');
    expect(second.payment_intent?.id).toBe(first.payment_intent?.id);
    expect(second.charge).toBe(first.charge);
    expect(second.headers?.['idempotent-replayed']).toBe('true');
  });

  it('different parameters with the same key → StripeIdempotencyError', async () => {
    const idempotencyKey = key();
    await stripe.paymentIntents.create(params, { idempotencyKey });
    const err = await caught(() => stripe.paymentIntents.create({ ...params, amount: 4201 }, { idempotencyKey }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(err.statusCode).toBe(400);
    expect(err.rawType).toBe('idempotency_error');
    expect(err.message).toMatch(/same parameters/);
  });

  it('the same key on another endpoint → StripeIdempotencyError', async () => {
    const idempotencyKey = key();
    const pi = await stripe.paymentIntents.create(params, { idempotencyKey });
    const err = await caught(() => stripe.refunds.create({ payment_intent: pi.id }, { idempotencyKey }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(err.message).toMatch(/same endpoint/);
    expect((await stripe.refunds.list({ payment_intent: pi.id })).data).toHaveLength(0);
  });

  it('keys are scoped by API key', async () => {
    const idempotencyKey = key();
    const a = await stripe.paymentIntents.create(params, { idempotencyKey });
    const other = t.client({}, 'sk_test_another_account');
    const b = await other.paymentIntents.create(params, { idempotencyKey });
    expect(b.id).not.toBe(a.id);
  });

  it('a concurrent request with an in-flight key gets 409 idempotency_key_in_use', async () => {
    t.sandbox.faults.set({ latencyMs: 400 });
    const idempotencyKey = key();
    const before = await countPaymentIntents();
    const results = await Promise.allSettled([
      stripe.paymentIntents.create(params, { idempotencyKey, maxNetworkRetries: 0 }),
      new Promise((resolve) => setTimeout(resolve, 100)).then(() =>
        stripe.paymentIntents.create(params, { idempotencyKey, maxNetworkRetries: 0 }),
      ),
    ]);
    const [first, second] = results;
    expect(first.status).toBe('fulfilled');
    expect(second.status).toBe('rejected');
    const err = (second as PromiseRejectedResult).reason as Stripe.errors.StripeError;
    expect(err).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(err.statusCode).toBe(409);
    expect(err.code).toBe('idempotency_key_in_use');
    expect(err.rawType).toBe('invalid_request_error');
    t.sandbox.faults.reset();
    // Nothing was saved for the 409: the key now replays the first request's result.
    const replay = await stripe.paymentIntents.create(params, { idempotencyKey });
    expect(replay.id).toBe((first as PromiseFulfilledResult<Stripe.PaymentIntent>).value.id);
    expect(await countPaymentIntents()).toBe(before + 1);
  });

  it('a 409 does not free the key for a third concurrent request', async () => {
    t.sandbox.faults.set({ latencyMs: 400 });
    const idempotencyKey = key();
    const callSid = `CA-${randomUUID()}`;
    const later = (ms: number) =>
      new Promise((resolve) => setTimeout(resolve, ms)).then(() =>
        stripe.paymentIntents.create({ ...params, metadata: { call_sid: callSid } }, { idempotencyKey, maxNetworkRetries: 0 }),
      );
    const results = await Promise.allSettled([later(0), later(60), later(120)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    for (const r of results.slice(1)) expect(((r as PromiseRejectedResult).reason as Stripe.errors.StripeError).statusCode).toBe(409);
    t.sandbox.faults.reset();
    const mine = [];
    for await (const pi of stripe.paymentIntents.list({ limit: 100 })) if (pi.metadata.call_sid === callSid) mine.push(pi);
    expect(mine).toHaveLength(1);
  });

  it('the client’s own retry after a 409 replays the first result', async () => {
    t.sandbox.faults.set({ latencyMs: 300 });
    const idempotencyKey = key();
    const [a, b] = await Promise.all([
      stripe.paymentIntents.create(params, { idempotencyKey, maxNetworkRetries: 2 }),
      new Promise((resolve) => setTimeout(resolve, 50)).then(() =>
        stripe.paymentIntents.create(params, { idempotencyKey, maxNetworkRetries: 2 }),
      ),
    ]);
    expect(b.id).toBe(a.id);
    expect(b.lastResponse.headers['idempotent-replayed']).toBe('true');
  });

  it('validation failures are not saved: the key still works with corrected parameters', async () => {
    const idempotencyKey = key();
    const bad = await caught(() => stripe.paymentIntents.create({ ...params, bogus: 'x' } as Stripe.PaymentIntentCreateParams, { idempotencyKey }));
    expect(bad.code).toBe('parameter_unknown');
    const good = await stripe.paymentIntents.create(params, { idempotencyKey });
    expect(good.status).toBe('succeeded');
    expect(good.lastResponse.headers['idempotent-replayed']).toBeUndefined();
  });

  it('401s are not saved either', async () => {
    const idempotencyKey = key();
    const wrong = t.client({}, 'sk_live_not_for_the_sandbox');
    const err = await caught(() => wrong.paymentIntents.create(params, { idempotencyKey }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    const ok = await stripe.paymentIntents.create(params, { idempotencyKey });
    expect(ok.lastResponse.headers['idempotent-replayed']).toBeUndefined();
  });

  it('GETs ignore the key; keys longer than 255 characters are refused', async () => {
    const long = await caught(() => stripe.paymentIntents.create(params, { idempotencyKey: 'k'.repeat(256) }));
    expect(long).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(long.message).toMatch(/255/);
    const pi = await stripe.paymentIntents.create(params, { idempotencyKey: 'k'.repeat(255) });
    const got = await stripe.paymentIntents.retrieve(pi.id, {}, { idempotencyKey: key() });
    expect(got.lastResponse.headers['idempotent-replayed']).toBeUndefined();
  });

  it('without an explicit key, each SDK call is a new request (stripe-node auto key)', async () => {
    const before = await countPaymentIntents();
    const a = await stripe.paymentIntents.create(params);
    const b = await stripe.paymentIntents.create(params);
    expect(a.id).not.toBe(b.id);
    expect(a.lastResponse.idempotencyKey).toMatch(/^stripe-node-retry-/);
    expect(await countPaymentIntents()).toBe(before + 2);
  });
});
