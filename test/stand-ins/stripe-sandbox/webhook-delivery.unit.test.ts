import { createHmac, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sandboxSettingsFromEnv } from '../../../src/stand-ins/stripe-sandbox/env.js';
import { sandboxApiVersion } from '../../../src/stand-ins/stripe-sandbox/server.js';
import { registeredReceiver, startReceiver, startWebhookSandbox, typesOf, type WebhookReceiver, type WebhookSandbox } from './webhook-helpers.js';

let t: WebhookSandbox;
let stripe: Stripe;
const receivers: WebhookReceiver[] = [];

beforeEach(async () => {
  t = await startWebhookSandbox();
  stripe = t.client();
});
afterEach(async () => {
  await t.stop();
  for (const r of receivers.splice(0)) await r.close();
});

async function receiver(enabledEvents?: string[]): Promise<WebhookReceiver> {
  const r = await registeredReceiver(t, enabledEvents);
  receivers.push(r);
  return r;
}

const pay = (key: string = randomUUID()) =>
  stripe.paymentIntents.create(
    { amount: 2500, currency: 'usd', confirm: true, payment_method: 'pm_card_visa', metadata: { call_sid: 'CA-wh' } },
    { idempotencyKey: key },
  );

/** A TCP port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('signed deliveries', () => {
  it('delivers Event objects that stripe.webhooks.constructEvent verifies, with Stripe’s signature and headers', async () => {
    const r = await receiver();
    const key = `call-CA1/charge/1-${randomUUID()}`;
    const pi = await pay(key);
    await r.waitFor((d) => d.length >= 3);
    await t.sandbox.webhooks.idle();
    expect(r.deliveries.every((d) => d.status === 200 && d.error === undefined)).toBe(true);
    expect(typesOf(r)).toEqual(['payment_intent.created', 'charge.succeeded', 'payment_intent.succeeded']);

    for (const delivery of r.deliveries) {
      const header = delivery.headers['stripe-signature'] as string;
      expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      // The documented scheme: HMAC-SHA256 of "<t>.<raw body>" with the endpoint secret.
      const [, timestamp, v1] = /^t=(\d+),v1=([0-9a-f]+)$/.exec(header) as RegExpExecArray;
      expect(createHmac('sha256', r.secret).update(`${timestamp}.${delivery.raw}`).digest('hex')).toBe(v1);
      expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(10);
      expect(delivery.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(delivery.headers['user-agent']).toMatch(/^Stripe\/1\.0 /);
    }

    const succeeded = await r.next('payment_intent.succeeded');
    expect(succeeded.id).toMatch(/^evt_/);
    expect(succeeded.object).toBe('event');
    expect(succeeded.livemode).toBe(false);
    expect(succeeded.api_version).toBe(sandboxApiVersion);
    expect(Math.abs(succeeded.created - Date.now() / 1000)).toBeLessThan(10);
    expect(succeeded.pending_webhooks).toBe(1);
    expect(succeeded.request).toEqual({ id: pi.lastResponse.requestId, idempotency_key: key });
    expect(succeeded.data.previous_attributes).toBeUndefined();
    if (succeeded.type !== 'payment_intent.succeeded') throw new Error('narrowing');
    const { lastResponse: _lr, ...piBody } = pi;
    expect(succeeded.data.object).toEqual(piBody);

    const charge = await r.next('charge.succeeded');
    if (charge.type !== 'charge.succeeded') throw new Error('narrowing');
    expect(charge.data.object).toMatchObject({
      id: pi.latest_charge,
      object: 'charge',
      amount: 2500,
      amount_captured: 2500,
      amount_refunded: 0,
      captured: true,
      paid: true,
      refunded: false,
      disputed: false,
      status: 'succeeded',
      payment_intent: pi.id,
      metadata: { call_sid: 'CA-wh' },
      payment_method_details: { type: 'card', card: { brand: 'visa', last4: '4242' } },
    });

    // Delivered: nothing pending, one successful attempt recorded.
    expect((await stripe.events.retrieve(succeeded.id)).pending_webhooks).toBe(0);
    const [record] = t.sandbox.webhooks.deliveries({ event: succeeded.id });
    expect(record).toMatchObject({ status: 'succeeded', url: r.url, type: 'payment_intent.succeeded', nextAttemptAt: null });
    expect(record?.attempts.map((a) => a.status)).toEqual([200]);
  });

  it('a receiver with the wrong secret refuses every delivery; the sandbox retries, then gives up', async () => {
    const r = await receiver();
    r.secret = 'whsec_wrong';
    const pi = await stripe.paymentIntents.create({ amount: 900, currency: 'usd' });
    await t.sandbox.webhooks.idle();
    expect(r.deliveries).toHaveLength(4); // the first attempt and three retries
    for (const d of r.deliveries) {
      expect(d.error).toBeInstanceOf(Stripe.errors.StripeSignatureVerificationError);
      expect(d.status).toBe(400);
    }
    const [record] = t.sandbox.webhooks.deliveries();
    expect(record?.status).toBe('failed');
    expect(record?.attempts.map((a) => a.status)).toEqual([400, 400, 400, 400]);
    const failed = await stripe.events.list({ delivery_success: false });
    expect(failed.data.map((e) => e.type)).toEqual(['payment_intent.created']);
    expect(failed.data[0]?.pending_webhooks).toBe(1);
    expect((failed.data[0]?.data.object as Stripe.PaymentIntent).id).toBe(pi.id);
    expect((await stripe.events.list({ delivery_success: true })).data).toEqual([]);
  });
});

describe('retries', () => {
  it('retries a 500 with backoff until a 2xx, recording each attempt', async () => {
    const r = await receiver(['payment_intent.created']);
    r.answer = (n) => (n <= 2 ? 500 : 200);
    await stripe.paymentIntents.create({ amount: 900, currency: 'usd' });
    await t.sandbox.webhooks.idle();
    expect(r.deliveries.map((d) => d.status)).toEqual([500, 500, 200]);
    expect(new Set(r.events().map((e) => e.id)).size).toBe(1);
    const [record] = t.sandbox.webhooks.deliveries();
    expect(record?.status).toBe('succeeded');
    const at = record?.attempts.map((a) => a.at) ?? [];
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(40);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(80);
  });

  it('retries connection failures and gives up after the last retry', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/stripe/webhook`;
    t.sandbox.webhooks.addEndpoint({ url, secret: 'whsec_unreachable' });
    const pi = await stripe.paymentIntents.create({ amount: 900, currency: 'usd' });
    await t.sandbox.webhooks.idle();
    const [record] = t.sandbox.webhooks.deliveries();
    expect(record?.status).toBe('failed');
    expect(record?.attempts).toHaveLength(4);
    expect(record?.attempts.every((a) => a.status === null && a.error === 'ECONNREFUSED')).toBe(true);
    const [event] = (await stripe.events.list({ type: 'payment_intent.created' })).data;
    expect((event?.data.object as Stripe.PaymentIntent).id).toBe(pi.id);
    expect(event?.pending_webhooks).toBe(1);
  });
});

describe('endpoint selection and configuration', () => {
  it('sends an endpoint only the event types it enabled', async () => {
    const all = await receiver();
    const refundsOnly = await receiver(['refund.created', 'refund.updated']);
    const pi = await pay();
    await stripe.refunds.create({ payment_intent: pi.id, amount: 500 });
    await t.sandbox.webhooks.idle();
    expect(typesOf(refundsOnly)).toEqual(['refund.created']);
    expect(typesOf(all)).toEqual(['payment_intent.created', 'charge.succeeded', 'payment_intent.succeeded', 'charge.refunded', 'refund.created']);
  });

  it('takes an endpoint from the environment (STRIPE_SANDBOX_WEBHOOK_URL, secret from STRIPE_WEBHOOK_SECRET)', async () => {
    const r = await startReceiver('whsec_from_the_env_file');
    receivers.push(r);
    const env = { STRIPE_SANDBOX_WEBHOOK_URL: r.url, STRIPE_WEBHOOK_SECRET: 'whsec_from_the_env_file', STRIPE_SANDBOX_ASYNC_DELAY_MS: 'manual' };
    expect(sandboxSettingsFromEnv(env)).toEqual({ webhookEndpoints: [{ url: r.url, secret: 'whsec_from_the_env_file' }], asyncDelayMs: null });
    expect(sandboxSettingsFromEnv({ STRIPE_SANDBOX_WEBHOOK_URL: r.url, STRIPE_SANDBOX_WEBHOOK_SECRET: 'whsec_own', STRIPE_WEBHOOK_SECRET: 'whsec_other' }).webhookEndpoints[0]?.secret).toBe('whsec_own');
    expect(() => sandboxSettingsFromEnv({ STRIPE_SANDBOX_WEBHOOK_SECRET: 'not-a-secret' })).toThrow(/STRIPE_SANDBOX_WEBHOOK_SECRET/);
    expect(() => sandboxSettingsFromEnv({ STRIPE_SANDBOX_WEBHOOK_RETRY_DELAYS_MS: 'soon' })).toThrow(/STRIPE_SANDBOX_WEBHOOK_RETRY_DELAYS_MS/);

    await t.restart({ env, webhookEndpoints: undefined });
    const [endpoint] = t.sandbox.webhooks.endpoints();
    expect(endpoint).toMatchObject({ url: r.url, secret: 'whsec_from_the_env_file', enabled_events: ['*'], status: 'enabled' });
    await t.client().paymentIntents.create({ amount: 900, currency: 'usd' });
    const created = await r.next('payment_intent.created');
    expect(created.livemode).toBe(false);
  });

  it('keeps events, endpoints and unfinished deliveries across a restart, and carries on delivering', async () => {
    const r = await startReceiver();
    receivers.push(r);
    const configured = [{ url: r.url }];
    await t.restart({ webhookEndpoints: configured, webhookRetryDelaysMs: [400] });
    const [endpoint] = t.sandbox.webhooks.endpoints();
    r.secret = endpoint?.secret as string;
    r.answer = (n) => (n === 1 ? 503 : 200);
    await t.client().paymentIntents.create({ amount: 900, currency: 'usd' });
    await r.waitFor((d) => d.length === 1);
    const [pending] = t.sandbox.webhooks.deliveries();
    expect(pending?.status).toBe('pending');
    expect(pending?.nextAttemptAt).toBeGreaterThan(Date.now());

    await t.restart({ webhookEndpoints: configured, webhookRetryDelaysMs: [400] });
    // The same endpoint (id and secret kept when none is configured) and the same event.
    expect(t.sandbox.webhooks.endpoints()).toEqual([endpoint]);
    await r.waitFor((d) => d.length === 2);
    await t.sandbox.webhooks.idle();
    expect(r.deliveries.map((d) => d.status)).toEqual([503, 200]);
    expect(r.deliveries[1]?.event?.id).toBe(r.deliveries[0]?.event?.id);
    const [done] = t.sandbox.webhooks.deliveries();
    expect(done?.status).toBe('succeeded');
    expect((await t.client().events.retrieve(done?.event as string)).pending_webhooks).toBe(0);
  });
});
