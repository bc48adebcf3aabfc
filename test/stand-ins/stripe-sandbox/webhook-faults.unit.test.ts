import type Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registeredReceiver, startWebhookSandbox, typesOf, type WebhookReceiver, type WebhookSandbox } from './webhook-helpers.js';

let t: WebhookSandbox;
let stripe: Stripe;
let r: WebhookReceiver;

beforeEach(async () => {
  t = await startWebhookSandbox();
  stripe = t.client();
  r = await registeredReceiver(t);
});
afterEach(async () => {
  await t.stop();
  await r.close();
});

const pay = () => stripe.paymentIntents.create({ amount: 2500, currency: 'usd', confirm: true, payment_method: 'pm_card_visa' });

function control(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${t.sandbox.url}/_sandbox${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

describe('webhook faults', () => {
  it('duplicateNext delivers the next event twice (same id, each copy correctly signed)', async () => {
    t.sandbox.webhooks.faults.set({ duplicateNext: 1 });
    await stripe.paymentIntents.create({ amount: 900, currency: 'usd' });
    await t.sandbox.webhooks.idle();
    const events = r.events();
    expect(events.map((e) => e.type)).toEqual(['payment_intent.created', 'payment_intent.created']);
    expect(events[0]?.id).toBe(events[1]?.id);
    expect(r.deliveries.every((d) => d.status === 200)).toBe(true);
    const [record] = t.sandbox.webhooks.deliveries();
    expect(record?.attempts.map((a) => a.injected)).toEqual([undefined, 'duplicate']);
    expect(t.sandbox.webhooks.faults.get().duplicateNext).toBe(0);
    // Only the next one: a later event arrives once.
    await stripe.paymentIntents.create({ amount: 900, currency: 'usd' });
    await t.sandbox.webhooks.idle();
    expect(r.events()).toHaveLength(3);
  });

  it('reorderNext: 2 delivers the next two events newest first', async () => {
    t.sandbox.webhooks.faults.set({ reorderNext: 2 });
    const pi = await pay();
    await t.sandbox.webhooks.idle();
    expect(typesOf(r)).toEqual(['charge.succeeded', 'payment_intent.created', 'payment_intent.succeeded']);
    const created = r.events()[1];
    expect((created?.data.object as Stripe.PaymentIntent).id).toBe(pi.id);
    // Each event's `created` still says when it happened; only the arrival order changed.
    expect(created!.created).toBeLessThanOrEqual(r.events()[0]!.created);
  });

  it('reorderNext releases what it holds after reorderWindowMs when fewer events come', async () => {
    t.sandbox.webhooks.faults.set({ reorderNext: 5, reorderWindowMs: 150 });
    const started = Date.now();
    await pay(); // three events, fewer than five
    await r.waitFor((d) => d.length === 3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(typesOf(r)).toEqual(['payment_intent.succeeded', 'charge.succeeded', 'payment_intent.created']);
  });

  it('failNext (lost_response) sends the event but treats the answer as lost: the receiver sees it again on the retry', async () => {
    t.sandbox.webhooks.faults.set({ failNext: 2 });
    await stripe.paymentIntents.create({ amount: 900, currency: 'usd' });
    await t.sandbox.webhooks.idle();
    expect(r.deliveries.map((d) => d.status)).toEqual([200, 200, 200]);
    expect(new Set(r.events().map((e) => e.id)).size).toBe(1);
    const [record] = t.sandbox.webhooks.deliveries();
    expect(record?.status).toBe('succeeded');
    expect(record?.attempts.map((a) => a.injected)).toEqual(['lost_response', 'lost_response', undefined]);
  });

  it("failNext with failMode 'connection' sends nothing until the retry", async () => {
    t.sandbox.webhooks.faults.set({ failNext: 1, failMode: 'connection' });
    await stripe.paymentIntents.create({ amount: 900, currency: 'usd' });
    await t.sandbox.webhooks.idle();
    expect(r.deliveries).toHaveLength(1);
    const [record] = t.sandbox.webhooks.deliveries();
    expect(record?.attempts.map((a) => [a.status, a.injected])).toEqual([
      [null, 'connection'],
      [200, undefined],
    ]);
  });

  it('failNext beyond the retries makes the sandbox give up', async () => {
    t.sandbox.webhooks.faults.set({ failNext: 4, failMode: 'connection' });
    const pi = await stripe.paymentIntents.create({ amount: 900, currency: 'usd' });
    await t.sandbox.webhooks.idle();
    expect(r.deliveries).toHaveLength(0);
    expect(t.sandbox.webhooks.deliveries()[0]?.status).toBe('failed');
    const missed = await stripe.events.list({ delivery_success: false, types: ['payment_intent.created'] });
    expect((missed.data[0]?.data.object as Stripe.PaymentIntent).id).toBe(pi.id);
  });

  it('is controllable over HTTP: GET, POST (merge), DELETE (reset); bad input is a 400', async () => {
    const defaults = { duplicateNext: 0, reorderNext: 0, reorderWindowMs: 1000, failNext: 0, failMode: 'lost_response' };
    expect(await (await control('GET', '/webhooks/faults')).json()).toEqual(defaults);
    expect(await (await control('POST', '/webhooks/faults', { duplicateNext: 1, failNext: 2 })).json()).toEqual({
      ...defaults,
      duplicateNext: 1,
      failNext: 2,
    });
    expect((await control('POST', '/webhooks/faults', { reorderNext: 1 })).status).toBe(400);
    expect((await control('POST', '/webhooks/faults', { failMode: 'sometimes' })).status).toBe(400);
    expect((await control('POST', '/webhooks/faults', { surprise: true })).status).toBe(400);
    expect(t.sandbox.webhooks.faults.get().failNext).toBe(2);
    expect(await (await control('DELETE', '/webhooks/faults')).json()).toEqual(defaults);

    await control('POST', '/webhooks/faults', { duplicateNext: 1 });
    const pi = await stripe.paymentIntents.create({ amount: 900, currency: 'usd' });
    await t.sandbox.webhooks.idle();
    const deliveries = (await (await control('GET', `/webhooks/deliveries?event=${r.events()[0]?.id}`)).json()) as {
      data: Array<{ status: string; attempts: Array<{ status: number }> }>;
    };
    expect(deliveries.data).toHaveLength(1);
    expect(deliveries.data[0]?.attempts.map((a) => a.status)).toEqual([200, 200]);
    expect((r.events()[0]?.data.object as Stripe.PaymentIntent).id).toBe(pi.id);
  });

  it('release-held sends held events at once', async () => {
    t.sandbox.webhooks.faults.set({ reorderNext: 10, reorderWindowMs: 60_000 });
    await pay();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(r.deliveries).toHaveLength(0);
    expect((await control('POST', '/webhooks/release-held')).status).toBe(200);
    await r.waitFor((d) => d.length === 3, 2000);
    expect(typesOf(r)).toEqual(['payment_intent.succeeded', 'charge.succeeded', 'payment_intent.created']);
  });
});
