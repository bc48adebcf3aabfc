import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { caught } from './helpers.js';
import { startReceiver, startWebhookSandbox, typesOf, type WebhookReceiver, type WebhookSandbox } from './webhook-helpers.js';

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

async function receiver(): Promise<WebhookReceiver> {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

describe('webhook endpoints through stripe-node', () => {
  it('creates an endpoint (secret only on create), delivers to it, updates, lists and deletes it', async () => {
    const r = await receiver();
    const endpoint = await stripe.webhookEndpoints.create({
      url: r.url,
      enabled_events: ['payment_intent.succeeded', 'refund.failed'],
      description: 'paycall',
      metadata: { env: 'test' },
      api_version: '2026-10-28.endive',
    });
    expect(endpoint.id).toMatch(/^we_/);
    expect(endpoint).toMatchObject({
      object: 'webhook_endpoint',
      url: r.url,
      enabled_events: ['payment_intent.succeeded', 'refund.failed'],
      status: 'enabled',
      livemode: false,
      description: 'paycall',
      metadata: { env: 'test' },
      api_version: '2026-10-28.endive',
      application: null,
    });
    expect(endpoint.secret).toMatch(/^whsec_[0-9a-f]{48}$/);
    r.secret = endpoint.secret as string;

    const retrieved = await stripe.webhookEndpoints.retrieve(endpoint.id);
    expect(retrieved.secret).toBeUndefined();
    const { secret: _s, lastResponse: _lr, ...withoutSecret } = endpoint;
    const { lastResponse: _lr2, ...retrievedBody } = retrieved;
    expect(retrievedBody).toEqual(withoutSecret);

    const pi = await stripe.paymentIntents.create({ amount: 1200, currency: 'usd', confirm: true, payment_method: 'pm_card_visa' });
    const event = await r.next('payment_intent.succeeded');
    expect((event.data.object as Stripe.PaymentIntent).id).toBe(pi.id);
    await t.sandbox.webhooks.idle();
    expect(typesOf(r)).toEqual(['payment_intent.succeeded']);

    const updated = await stripe.webhookEndpoints.update(endpoint.id, { enabled_events: ['*'], description: '', disabled: false });
    expect(updated.enabled_events).toEqual(['*']);
    expect(updated.description).toBeNull();
    await stripe.paymentIntents.create({ amount: 1200, currency: 'usd' });
    await r.next('payment_intent.created');

    const disabled = await stripe.webhookEndpoints.update(endpoint.id, { disabled: true });
    expect(disabled.status).toBe('disabled');
    const before = r.deliveries.length;
    await stripe.paymentIntents.create({ amount: 1200, currency: 'usd' });
    await t.sandbox.webhooks.idle();
    expect(r.deliveries).toHaveLength(before);

    const second = await stripe.webhookEndpoints.create({ url: `${r.url}?second`, enabled_events: ['*'] });
    const list = await stripe.webhookEndpoints.list({ limit: 1 });
    expect(list.data.map((e) => e.id)).toEqual([second.id]);
    expect(list.has_more).toBe(true);
    expect((await stripe.webhookEndpoints.list({ starting_after: second.id })).data.map((e) => e.id)).toEqual([endpoint.id]);

    const deleted = await stripe.webhookEndpoints.del(endpoint.id);
    expect(deleted).toMatchObject({ id: endpoint.id, object: 'webhook_endpoint', deleted: true });
    const gone = await caught(() => stripe.webhookEndpoints.retrieve(endpoint.id));
    expect(gone.statusCode).toBe(404);
    expect(gone.code).toBe('resource_missing');
    expect((await stripe.webhookEndpoints.list()).data.map((e) => e.id)).toEqual([second.id]);
  });

  it('refuses what Stripe refuses', async () => {
    const missingUrl = await caught(() => stripe.webhookEndpoints.create({ enabled_events: ['*'] } as Stripe.WebhookEndpointCreateParams));
    expect(missingUrl).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(missingUrl.code).toBe('parameter_missing');
    expect(missingUrl.param).toBe('url');
    const missingEvents = await caught(() => stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:1/x' } as Stripe.WebhookEndpointCreateParams));
    expect(missingEvents.param).toBe('enabled_events');
    const badUrl = await caught(() => stripe.webhookEndpoints.create({ url: 'not a url', enabled_events: ['*'] }));
    expect(badUrl.code).toBe('url_invalid');
    const badEvent = await caught(() =>
      stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:1/x', enabled_events: ['Refund Failed' as 'refund.failed'] }),
    );
    expect(badEvent.param).toBe('enabled_events[0]');
    const unknown = await caught(() =>
      stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:1/x', enabled_events: ['*'], secret: 'x' } as Stripe.WebhookEndpointCreateParams),
    );
    expect(unknown.code).toBe('parameter_unknown');
    expect((await stripe.webhookEndpoints.list()).data).toEqual([]);
  });
});

describe('events through stripe-node', () => {
  it('lists newest first with type, wildcard, types, created and pagination filters, and retrieves by id', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', confirm: true, payment_method: 'pm_card_visa' });
    const refund = await stripe.refunds.create({ payment_intent: pi.id, amount: 700 }, { idempotencyKey: 'call-CA2/refund/1' });

    const all = await stripe.events.list();
    expect(all.data.map((e) => e.type)).toEqual([
      'refund.created',
      'charge.refunded',
      'payment_intent.succeeded',
      'charge.succeeded',
      'payment_intent.created',
    ]);
    expect(all.data.every((e) => e.id.startsWith('evt_') && e.object === 'event' && e.livemode === false)).toBe(true);
    expect(all.data.every((e) => e.pending_webhooks === 0)).toBe(true); // no endpoints

    const refundCreated = all.data[0] as Stripe.RefundCreatedEvent;
    expect(refundCreated.data.object).toMatchObject({ id: refund.id, object: 'refund', amount: 700, status: 'succeeded' });
    expect(refundCreated.request).toEqual({ id: refund.lastResponse.requestId, idempotency_key: 'call-CA2/refund/1' });
    const chargeRefunded = all.data[1] as Stripe.ChargeRefundedEvent;
    expect(chargeRefunded.data.object).toMatchObject({ id: pi.latest_charge, amount_refunded: 700, refunded: false });

    const { lastResponse: _lr, ...retrievedBody } = await stripe.events.retrieve(refundCreated.id);
    expect(retrievedBody).toEqual(refundCreated);
    const missing = await caught(() => stripe.events.retrieve('evt_missing'));
    expect(missing.statusCode).toBe(404);
    expect(missing.code).toBe('resource_missing');

    expect((await stripe.events.list({ type: 'charge.succeeded' })).data.map((e) => e.type)).toEqual(['charge.succeeded']);
    expect((await stripe.events.list({ type: 'payment_intent.*' })).data.map((e) => e.type)).toEqual([
      'payment_intent.succeeded',
      'payment_intent.created',
    ]);
    expect((await stripe.events.list({ types: ['refund.created', 'charge.refunded'] })).data).toHaveLength(2);
    const tooMany = await caught(() => stripe.events.list({ type: 'refund.created', types: ['refund.created'] }));
    expect(tooMany).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);

    const created = all.data[4]!.created;
    expect((await stripe.events.list({ created: { gte: created } })).data).toHaveLength(5);
    expect((await stripe.events.list({ created: { lt: created } })).data).toHaveLength(0);
    expect((await stripe.events.list({ created })).data.length).toBeGreaterThan(0);

    const page = await stripe.events.list({ limit: 2 });
    expect(page.has_more).toBe(true);
    const next = await stripe.events.list({ limit: 2, starting_after: page.data[1]!.id });
    expect(next.data.map((e) => e.type)).toEqual(['payment_intent.succeeded', 'charge.succeeded']);
    const seen: string[] = [];
    for await (const event of stripe.events.list({ limit: 2 })) seen.push(event.id);
    expect(seen).toEqual(all.data.map((e) => e.id));
  });

  it('emits payment_intent.payment_failed and charge.failed on a decline, requires_action and canceled too', async () => {
    const declined = await caught(() =>
      stripe.paymentIntents.create({ amount: 900, currency: 'usd', confirm: true, payment_method: 'pm_card_visa_chargeDeclinedInsufficientFunds' }),
    );
    const piId = declined.payment_intent?.id as string;
    const [failed] = (await stripe.events.list({ type: 'payment_intent.payment_failed' })).data as Stripe.PaymentIntentPaymentFailedEvent[];
    expect(failed?.data.object).toMatchObject({
      id: piId,
      status: 'requires_payment_method',
      last_payment_error: { code: 'card_declined', decline_code: 'insufficient_funds', type: 'card_error' },
    });
    const [chargeFailed] = (await stripe.events.list({ type: 'charge.failed' })).data as Stripe.ChargeFailedEvent[];
    expect(chargeFailed?.data.object).toMatchObject({
      object: 'charge',
      status: 'failed',
      paid: false,
      captured: false,
      failure_code: 'card_declined',
      failure_message: 'Your card has insufficient funds.',
      payment_intent: piId,
    });

    const threeDs = await stripe.paymentIntents.create({ amount: 900, currency: 'usd', confirm: true, payment_method: 'pm_card_threeDSecure2Required' });
    await stripe.paymentIntents.cancel(threeDs.id);
    const types = (await stripe.events.list({ type: 'payment_intent.*', limit: 3 })).data.map((e) => e.type);
    expect(types).toEqual(['payment_intent.canceled', 'payment_intent.requires_action', 'payment_intent.created']);

    const manual = await stripe.paymentIntents.create({ amount: 900, currency: 'usd', confirm: true, payment_method: 'pm_card_visa', capture_method: 'manual' });
    await stripe.paymentIntents.capture(manual.id, { amount_to_capture: 600 });
    const latest = (await stripe.events.list({ limit: 4 })).data.map((e) => e.type);
    expect(latest).toEqual(['payment_intent.succeeded', 'charge.captured', 'payment_intent.amount_capturable_updated', 'charge.succeeded']);
    const [captured] = (await stripe.events.list({ type: 'charge.captured' })).data as Stripe.ChargeCapturedEvent[];
    expect(captured?.data.object).toMatchObject({ captured: true, amount: 900, amount_captured: 600, amount_refunded: 300 });
  });
});
