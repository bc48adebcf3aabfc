import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { caught, startTestSandbox, testApiKey, type TestSandbox } from './helpers.js';

let t: TestSandbox;
let stripe: Stripe;

beforeAll(async () => {
  t = await startTestSandbox();
  stripe = t.client();
});
afterEach(async () => {
  t.sandbox.faults.reset();
});
afterAll(async () => {
  await t.stop();
});

const params = (callSid: string): Stripe.PaymentIntentCreateParams => ({
  amount: 1500,
  currency: 'usd',
  confirm: true,
  payment_method: 'pm_card_visa',
  metadata: { call_sid: callSid },
});

/** PaymentIntents whose metadata.call_sid is `callSid`. */
async function intentsFor(callSid: string): Promise<Stripe.PaymentIntent[]> {
  const out: Stripe.PaymentIntent[] = [];
  for await (const pi of stripe.paymentIntents.list({ limit: 100 })) if (pi.metadata.call_sid === callSid) out.push(pi);
  return out;
}

function admin(method: string, body?: unknown): Promise<Response> {
  return fetch(`${t.sandbox.url}/_sandbox/faults`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

/** A raw form POST, as stripe-node would send it, without the SDK's retries. */
function rawPost(path: string, form: Record<string, string>, idempotencyKey: string): Promise<Response> {
  return fetch(`${t.sandbox.url}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${testApiKey}`,
      'content-type': 'application/x-www-form-urlencoded',
      'idempotency-key': idempotencyKey,
    },
    body: new URLSearchParams(form).toString(),
  });
}

describe('fault injection over HTTP (/_sandbox/faults)', () => {
  it('GET shows, POST merges, DELETE resets; bad input is a 400', async () => {
    expect(await (await admin('GET')).json()).toEqual({ failNext: 0, failStatus: 500, latencyMs: 0, dropAfterChargeNext: 0 });
    expect(await (await admin('POST', { failNext: 2 })).json()).toMatchObject({ failNext: 2, failStatus: 500 });
    expect(await (await admin('POST', { failStatus: 503, latencyMs: 10 })).json()).toEqual({
      failNext: 2,
      failStatus: 503,
      latencyMs: 10,
      dropAfterChargeNext: 0,
    });
    expect(t.sandbox.faults.get().failNext).toBe(2);
    expect((await admin('POST', { failNext: -1 })).status).toBe(400);
    expect((await admin('POST', { surprise: 1 })).status).toBe(400);
    const malformed = await fetch(`${t.sandbox.url}/_sandbox/faults`, { method: 'POST', body: '{"failNext": ' });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    expect(t.sandbox.faults.get().failNext).toBe(2);
    expect(await (await admin('DELETE')).json()).toEqual({ failNext: 0, failStatus: 500, latencyMs: 0, dropAfterChargeNext: 0 });
  });

  it('health needs no API key', async () => {
    const res = await fetch(`${t.sandbox.url}/_sandbox/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });
});

describe('failNext', () => {
  it('answers 5xx api_error without executing: a retry with the same key runs for real', async () => {
    const callSid = `CA-${randomUUID()}`;
    const idempotencyKey = randomUUID();
    t.sandbox.faults.set({ failNext: 1 });
    const err = await caught(() => stripe.paymentIntents.create(params(callSid), { idempotencyKey, maxNetworkRetries: 0 }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(err.statusCode).toBe(500);
    expect(err.rawType).toBe('api_error');
    expect(await intentsFor(callSid)).toHaveLength(0);
    const pi = await stripe.paymentIntents.create(params(callSid), { idempotencyKey, maxNetworkRetries: 0 });
    expect(pi.status).toBe('succeeded');
    expect(pi.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect(await intentsFor(callSid)).toHaveLength(1);
  });

  it('uses failStatus, counts down, then stops failing', async () => {
    t.sandbox.faults.set({ failNext: 2, failStatus: 503 });
    const first = await caught(() => stripe.paymentIntents.list({ limit: 1 }));
    expect(first.statusCode).toBe(503);
    expect(t.sandbox.faults.get().failNext).toBe(1);
    const second = await caught(() => stripe.paymentIntents.list({ limit: 1 }));
    expect(second.statusCode).toBe(503);
    const ok = await stripe.paymentIntents.list({ limit: 1 });
    expect(ok.object).toBe('list');
  });

  it('failStatus 429 looks like Stripe rate limiting', async () => {
    t.sandbox.faults.set({ failNext: 1, failStatus: 429 });
    const err = await caught(() => stripe.paymentIntents.list({ limit: 1 }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
  });

  it.each([1, 2])("stripe-node's own retries (maxNetworkRetries 2) recover from failNext %i with one PaymentIntent", async (n) => {
    const callSid = `CA-${randomUUID()}`;
    t.sandbox.faults.set({ failNext: n });
    const pi = await stripe.paymentIntents.create(params(callSid), { maxNetworkRetries: 2 });
    expect(pi.status).toBe('succeeded');
    expect(t.sandbox.faults.get().failNext).toBe(0);
    expect(await intentsFor(callSid)).toHaveLength(1);
  });

  it('three failures exhaust two retries', async () => {
    const callSid = `CA-${randomUUID()}`;
    t.sandbox.faults.set({ failNext: 3 });
    const err = await caught(() => stripe.paymentIntents.create(params(callSid), { maxNetworkRetries: 2 }));
    expect(err.statusCode).toBe(500);
    expect(await intentsFor(callSid)).toHaveLength(0);
  });
});

describe('latencyMs', () => {
  it('delays every /v1 response', async () => {
    t.sandbox.faults.set({ latencyMs: 300 });
    const started = Date.now();
    await stripe.paymentIntents.list({ limit: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    const errStarted = Date.now();
    await caught(() => stripe.paymentIntents.retrieve('pi_missing'));
    expect(Date.now() - errStarted).toBeGreaterThanOrEqual(290);
    t.sandbox.faults.reset();
    const fast = Date.now();
    await stripe.paymentIntents.list({ limit: 1 });
    expect(Date.now() - fast).toBeLessThan(290);
  });

  it("a client timeout shorter than the latency is a StripeConnectionError", async () => {
    t.sandbox.faults.set({ latencyMs: 1000 });
    const err = await caught(() => stripe.paymentIntents.list({ limit: 1 }, { timeout: 200, maxNetworkRetries: 0 }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect(err.message).toMatch(/timeout/);
  });
});

describe('dropAfterChargeNext', () => {
  it('charges, saves the response, then drops the connection; the same key replays the success', async () => {
    const callSid = `CA-${randomUUID()}`;
    const idempotencyKey = randomUUID();
    t.sandbox.faults.set({ dropAfterChargeNext: 1 });
    const form = { amount: '1500', currency: 'usd', confirm: 'true', payment_method: 'pm_card_visa', 'metadata[call_sid]': callSid };
    await expect(rawPost('/v1/payment_intents', form, idempotencyKey)).rejects.toThrow();
    expect(t.sandbox.faults.get().dropAfterChargeNext).toBe(0);
    // The charge happened even though nobody heard back.
    const [charged, ...others] = await intentsFor(callSid);
    expect(others).toHaveLength(0);
    expect(charged?.status).toBe('succeeded');
    const replay = await stripe.paymentIntents.create(params(callSid), { idempotencyKey });
    expect(replay.id).toBe(charged?.id);
    expect(replay.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(await intentsFor(callSid)).toHaveLength(1);
  });

  it("stripe-node's retry (same auto key) recovers: one PaymentIntent, replayed", async () => {
    const callSid = `CA-${randomUUID()}`;
    t.sandbox.faults.set({ dropAfterChargeNext: 1 });
    const pi = await stripe.paymentIntents.create(params(callSid), { maxNetworkRetries: 2 });
    expect(pi.status).toBe('succeeded');
    expect(pi.lastResponse.headers['idempotent-replayed']).toBe('true');
    const listed = await intentsFor(callSid);
    expect(listed.map((p) => p.id)).toEqual([pi.id]);
  });

  it('stripe-node retries a reset connection once even with maxNetworkRetries 0', async () => {
    const callSid = `CA-${randomUUID()}`;
    t.sandbox.faults.set({ dropAfterChargeNext: 1 });
    const pi = await stripe.paymentIntents.create(params(callSid), { maxNetworkRetries: 0 });
    expect(pi.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(await intentsFor(callSid)).toHaveLength(1);
  });

  it('dropAfterChargeNext: 2 drops the next two charging confirmations, never a replay', async () => {
    const created = await stripe.paymentIntents.create({ amount: 900, currency: 'usd' });
    t.sandbox.faults.set({ dropAfterChargeNext: 2 });
    const idempotencyKey = randomUUID();
    // First call: dropped, then the SDK's retry replays the saved response (replays are never dropped).
    const first = await stripe.paymentIntents.confirm(created.id, { payment_method: 'pm_card_visa' }, { idempotencyKey, maxNetworkRetries: 0 });
    expect(first.status).toBe('succeeded');
    // Second drop, on a confirm of another PaymentIntent, seen without SDK retries via fetch.
    const other = await stripe.paymentIntents.create({ amount: 900, currency: 'usd' });
    await expect(rawPost(`/v1/payment_intents/${other.id}/confirm`, { payment_method: 'pm_card_visa' }, randomUUID())).rejects.toThrow();
    expect((await stripe.paymentIntents.retrieve(other.id)).status).toBe('succeeded');
    expect(t.sandbox.faults.get().dropAfterChargeNext).toBe(0);
  });

  it('applies to /confirm and to declines too (the charge attempt is made)', async () => {
    const created = await stripe.paymentIntents.create({ amount: 900, currency: 'usd' });
    t.sandbox.faults.set({ dropAfterChargeNext: 1 });
    const err = await caught(() =>
      stripe.paymentIntents.confirm(created.id, { payment_method: 'pm_card_chargeDeclined' }, { maxNetworkRetries: 2 }),
    );
    expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(err.headers?.['idempotent-replayed']).toBe('true');
    expect((await stripe.paymentIntents.retrieve(created.id)).last_payment_error?.decline_code).toBe('generic_decline');
  });

  it('does not touch requests that are not confirmations', async () => {
    t.sandbox.faults.set({ dropAfterChargeNext: 1 });
    const pi = await stripe.paymentIntents.create({ amount: 900, currency: 'usd' });
    expect(pi.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    await stripe.paymentIntents.retrieve(pi.id);
    expect(t.sandbox.faults.get().dropAfterChargeNext).toBe(1);
  });
});
