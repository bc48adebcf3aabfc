import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import type { StripeSandboxOptions } from '../../../src/stand-ins/stripe-sandbox/server.js';
import { caught } from './helpers.js';
import { registeredReceiver, startReceiver, startWebhookSandbox, typesOf, type WebhookReceiver, type WebhookSandbox } from './webhook-helpers.js';

let t: WebhookSandbox;
let stripe: Stripe;
let r: WebhookReceiver;

async function setUp(options: Partial<StripeSandboxOptions> = {}): Promise<void> {
  t = await startWebhookSandbox(options);
  stripe = t.client();
  r = await registeredReceiver(t);
}
afterEach(async () => {
  await t.stop();
  await r.close();
});

async function paidWith(paymentMethod: string, amount = 3000): Promise<Stripe.PaymentIntent> {
  const pi = await stripe.paymentIntents.create({ amount, currency: 'usd', confirm: true, payment_method: paymentMethod });
  expect(pi.status).toBe('succeeded');
  return pi;
}

async function paidWithCardNumber(number: string): Promise<Stripe.PaymentIntent> {
  const pm = await stripe.paymentMethods.create({ type: 'card', card: { number, exp_month: 12, exp_year: 2034, cvc: '123' } });
  return paidWith(pm.id);
}

function control(path: string, body?: unknown): Promise<Response> {
  return fetch(`${t.sandbox.url}/_sandbox${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

const automatic = { id: null, idempotency_key: null };

describe('refunds that succeed at once', () => {
  it('emit charge.refunded (the Charge) and refund.created, and never change', async () => {
    await setUp();
    const pi = await paidWith('pm_card_visa');
    const refund = await stripe.refunds.create({ payment_intent: pi.id, amount: 1000 }, { idempotencyKey: 'call-CA3/refund/pi' });
    expect(refund.status).toBe('succeeded');
    expect(refund.pending_reason).toBeUndefined();
    const created = (await r.next('refund.created')) as Stripe.RefundCreatedEvent;
    expect(created.data.object).toMatchObject({ id: refund.id, status: 'succeeded', amount: 1000, charge: pi.latest_charge, payment_intent: pi.id });
    expect(created.request?.idempotency_key).toBe('call-CA3/refund/pi');
    const charge = (await r.next('charge.refunded')) as Stripe.ChargeRefundedEvent;
    expect(charge.data.object).toMatchObject({ id: pi.latest_charge, amount_refunded: 1000, refunded: false });
    expect(t.sandbox.control.pending()).toEqual([]);
    await stripe.refunds.create({ payment_intent: pi.id });
    const full = (await r.next('charge.refunded', (e) => (e.data.object as Stripe.Charge).refunded)) as Stripe.ChargeRefundedEvent;
    expect(full.data.object.amount_refunded).toBe(3000);
  });
});

describe('asynchronous success (pm_card_pendingRefund, 4000000000007726)', () => {
  it('starts pending and succeeds on the control call, with refund.updated and charge.refund.updated', async () => {
    await setUp();
    const pi = await paidWith('pm_card_pendingRefund');
    const refund = await stripe.refunds.create({ payment_intent: pi.id });
    expect(refund.status).toBe('pending');
    expect(refund.pending_reason).toBe('processing');
    expect((await r.next('refund.created')).data.object).toMatchObject({ id: refund.id, status: 'pending' });
    // Pending refunds count: nothing more can be refunded.
    expect((await caught(() => stripe.refunds.create({ payment_intent: pi.id, amount: 1 }))).code).toBe('charge_already_refunded');
    const [scheduled] = t.sandbox.control.pending();
    expect(scheduled).toMatchObject({ kind: 'refund.succeed', target: refund.id, dueAt: null });

    const res = await control(`/refunds/${refund.id}/succeed`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: refund.id, status: 'succeeded' });
    expect((await stripe.refunds.retrieve(refund.id)).status).toBe('succeeded');
    expect(t.sandbox.control.pending()).toEqual([]);

    const updated = (await r.next('refund.updated')) as Stripe.RefundUpdatedEvent;
    expect(updated.data.object).toMatchObject({ id: refund.id, object: 'refund', status: 'succeeded' });
    expect(updated.data.object.pending_reason).toBeUndefined();
    expect(updated.data.previous_attributes).toEqual({ status: 'pending', pending_reason: 'processing' });
    expect(updated.request).toEqual(automatic);
    const chargeRefundUpdated = (await r.next('charge.refund.updated')) as Stripe.ChargeRefundUpdatedEvent;
    expect(chargeRefundUpdated.data.object.id).toBe(refund.id);
    expect(chargeRefundUpdated.data.previous_attributes).toEqual({ status: 'pending', pending_reason: 'processing' });

    const again = await control(`/refunds/${refund.id}/succeed`);
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
  });

  it('succeeds by itself after asyncDelayMs (card number, and tok_pendingRefund)', async () => {
    await setUp({ asyncDelayMs: 150 });
    const byNumber = await paidWithCardNumber('4000000000007726');
    const refund = await stripe.refunds.create({ payment_intent: byNumber.id, amount: 500 });
    expect(refund.status).toBe('pending');
    const started = Date.now();
    const updated = await r.next('refund.updated', (e) => (e.data.object as Stripe.Refund).id === refund.id);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect((updated.data.object as Stripe.Refund).status).toBe('succeeded');

    const pm = await stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_pendingRefund' } });
    const byToken = await paidWith(pm.id);
    const tokenRefund = await stripe.refunds.create({ payment_intent: byToken.id });
    expect(tokenRefund.status).toBe('pending');
    await r.next('refund.updated', (e) => (e.data.object as Stripe.Refund).id === tokenRefund.id);
  });

  it('a scheduled settlement survives a restart', async () => {
    r = await startReceiver();
    t = await startWebhookSandbox({ asyncDelayMs: 300, webhookEndpoints: [{ url: r.url, secret: 'whsec_restart' }] });
    r.secret = 'whsec_restart';
    stripe = t.client();
    const pi = await paidWith('pm_card_pendingRefund');
    const refund = await stripe.refunds.create({ payment_intent: pi.id });
    await t.restart({ asyncDelayMs: 300, webhookEndpoints: [{ url: r.url, secret: 'whsec_restart' }] });
    expect(t.sandbox.control.pending().map((p) => p.target)).toEqual([refund.id]);
    await r.next('refund.updated', () => true, 3000);
    expect((await t.client().refunds.retrieve(refund.id)).status).toBe('succeeded');
  });
});

describe('asynchronous failure (pm_card_refundFail, 4000000000005126)', () => {
  it('starts succeeded, later fails with expired_or_canceled_card: refund.failed, refund.updated, and the amount is refundable again', async () => {
    await setUp();
    const pi = await paidWith('pm_card_refundFail', 4000);
    const refund = await stripe.refunds.create({ payment_intent: pi.id, amount: 4000 });
    expect(refund.status).toBe('succeeded');
    expect(t.sandbox.control.pending()).toMatchObject([{ kind: 'refund.fail', target: refund.id }]);

    const ran = await control('/transitions/run');
    expect(((await ran.json()) as { data: unknown[] }).data).toHaveLength(1);
    const failed = (await r.next('refund.failed')) as Stripe.RefundFailedEvent;
    expect(failed.data.object).toMatchObject({ id: refund.id, status: 'failed', failure_reason: 'expired_or_canceled_card', amount: 4000 });
    expect(failed.data.object.failure_balance_transaction).toMatch(/^txn_/);
    expect(failed.request).toEqual(automatic);
    const updated = (await r.next('refund.updated')) as Stripe.RefundUpdatedEvent;
    expect(updated.data.previous_attributes).toEqual({ status: 'succeeded', failure_reason: null, failure_balance_transaction: null });
    await r.next('charge.refund.updated');
    const retrieved = await stripe.refunds.retrieve(refund.id);
    expect(retrieved.status).toBe('failed');
    expect(retrieved.failure_reason).toBe('expired_or_canceled_card');
    // The failed amount went back to the charge: it can be refunded again.
    const retry = await stripe.refunds.create({ payment_intent: pi.id });
    expect(retry.amount).toBe(4000);
  });

  it('fails by itself after asyncDelayMs when paid with the card number', async () => {
    await setUp({ asyncDelayMs: 100 });
    const pi = await paidWithCardNumber('4000000000005126');
    const refund = await stripe.refunds.create({ payment_intent: pi.id });
    expect(refund.status).toBe('succeeded');
    const failed = await r.next('refund.failed');
    expect((failed.data.object as Stripe.Refund).id).toBe(refund.id);
    await t.sandbox.webhooks.idle();
    expect(typesOf(r).slice(-5)).toEqual(['charge.refunded', 'refund.created', 'refund.updated', 'charge.refund.updated', 'refund.failed']);
  });
});

describe('refund control calls', () => {
  it('fail any pending or succeeded refund with a Stripe failure_reason; refuse bad input', async () => {
    await setUp();
    const pi = await paidWith('pm_card_visa');
    const refund = await stripe.refunds.create({ payment_intent: pi.id, amount: 800 });
    const res = await control(`/refunds/${refund.id}/fail`, { failure_reason: 'lost_or_stolen_card' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'failed', failure_reason: 'lost_or_stolen_card' });
    expect(((await r.next('refund.failed')).data.object as Stripe.Refund).failure_reason).toBe('lost_or_stolen_card');
    expect((await control(`/refunds/${refund.id}/fail`)).status).toBe(400); // already failed
    const other = await stripe.refunds.create({ payment_intent: pi.id, amount: 100 });
    expect((await control(`/refunds/${other.id}/fail`, { failure_reason: 'bad_luck' })).status).toBe(400);
    expect((await control(`/refunds/${other.id}/fail`, { surprise: 1 })).status).toBe(400);
    expect((await control('/refunds/re_missing/succeed')).status).toBe(404);
    expect((await stripe.refunds.retrieve(other.id)).status).toBe('succeeded');
    expect(t.sandbox.control.failRefund(other.id).failure_reason).toBe('expired_or_canceled_card');
  });
});
