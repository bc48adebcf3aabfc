import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import type { StripeSandboxOptions } from '../../../src/stand-ins/stripe-sandbox/server.js';
import { caught } from './helpers.js';
import { registeredReceiver, startWebhookSandbox, typesOf, type WebhookReceiver, type WebhookSandbox } from './webhook-helpers.js';

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

async function paidWith(paymentMethod: string, amount = 5000): Promise<Stripe.PaymentIntent> {
  const pi = await stripe.paymentIntents.create({ amount, currency: 'usd', confirm: true, payment_method: paymentMethod });
  expect(pi.status).toBe('succeeded');
  return pi;
}

function control(path: string, body?: unknown): Promise<Response> {
  return fetch(`${t.sandbox.url}/_sandbox${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

const disputeOf = (event: Stripe.Event): Stripe.Dispute => event.data.object as Stripe.Dispute;

describe('disputes from Stripe’s dispute test cards', () => {
  it('pm_card_createDispute: the charge succeeds, then is disputed as fraudulent (charge.dispute.created)', async () => {
    await setUp();
    const pi = await paidWith('pm_card_createDispute');
    expect(t.sandbox.control.pending()).toMatchObject([{ kind: 'dispute.open', target: pi.latest_charge }]);
    expect((await stripe.disputes.list({ payment_intent: pi.id })).data).toEqual([]);

    await control('/transitions/run');
    const created = await r.next('charge.dispute.created');
    const dispute = disputeOf(created);
    expect(dispute.id).toMatch(/^dp_/);
    expect(dispute).toMatchObject({
      object: 'dispute',
      amount: 5000,
      currency: 'usd',
      charge: pi.latest_charge,
      payment_intent: pi.id,
      reason: 'fraudulent',
      status: 'needs_response',
      is_charge_refundable: false,
      livemode: false,
      metadata: {},
      evidence: { uncategorized_text: null, customer_name: null },
      evidence_details: { has_evidence: false, past_due: false, submission_count: 0 },
    });
    expect(dispute.evidence_details.due_by).toBeGreaterThan(dispute.created);
    expect(created.request).toEqual({ id: null, idempotency_key: null });
    expect(disputeOf(await r.next('charge.dispute.funds_withdrawn')).id).toBe(dispute.id);

    const { lastResponse: _lr, ...retrieved } = await stripe.disputes.retrieve(dispute.id);
    expect(retrieved).toEqual(dispute);
    expect((await stripe.disputes.list({ charge: pi.latest_charge as string })).data.map((d) => d.id)).toEqual([dispute.id]);
    // A charged-back charge cannot be refunded.
    const refund = await caught(() => stripe.refunds.create({ payment_intent: pi.id }));
    expect(refund.code).toBe('charge_disputed');
  });

  it('the card numbers dispute by themselves after asyncDelayMs (fraudulent, product_not_received)', async () => {
    await setUp({ asyncDelayMs: 100 });
    for (const [number, reason] of [
      ['4000000000000259', 'fraudulent'],
      ['4000000000002685', 'product_not_received'],
    ] as const) {
      const pm = await stripe.paymentMethods.create({ type: 'card', card: { number, exp_month: 11, exp_year: 2033, cvc: '314' } });
      const pi = await paidWith(pm.id, 1800);
      const created = await r.next('charge.dispute.created', (e) => disputeOf(e).payment_intent === pi.id);
      expect(disputeOf(created)).toMatchObject({ reason, status: 'needs_response', amount: 1800 });
    }
    await t.sandbox.webhooks.idle();
    // Card data never reaches the state file or a webhook: only brand and last4.
    const state = readFileSync(join(t.dataDir, 'stripe-sandbox', 'state.json'), 'utf8');
    for (const text of [state, ...r.deliveries.map((d) => d.raw)]) {
      expect(text).not.toContain('4000000000000259');
      expect(text).not.toContain('4000000000002685');
      expect(text).not.toMatch(/"(number|cvc)"\s*:/);
    }
    expect(state).toContain('"last4": "0259"');
  });

  it('a pending refund fails with charge_for_pending_refund_disputed when the charge is disputed', async () => {
    await setUp();
    const pi = await paidWith('pm_card_pendingRefund');
    const refund = await stripe.refunds.create({ payment_intent: pi.id, amount: 2000 });
    expect(refund.status).toBe('pending');
    const res = await control(`/payment_intents/${pi.id}/dispute`);
    expect(res.status).toBe(200);
    const failed = await r.next('refund.failed');
    expect(failed.data.object).toMatchObject({ id: refund.id, status: 'failed', failure_reason: 'charge_for_pending_refund_disputed' });
    expect(t.sandbox.control.pending()).toEqual([]); // its settlement was cancelled
  });
});

describe('dispute control calls', () => {
  it('open a dispute on any captured PaymentIntent, and close it as won or lost', async () => {
    await setUp();
    const won = await paidWith('pm_card_visa');
    const res = await control(`/payment_intents/${won.id}/dispute`, { reason: 'product_not_received' });
    expect(res.status).toBe(200);
    const dispute = (await res.json()) as Stripe.Dispute;
    expect(dispute).toMatchObject({ payment_intent: won.id, reason: 'product_not_received', status: 'needs_response' });
    expect((await control(`/payment_intents/${won.id}/dispute`)).status).toBe(400); // one open dispute at a time

    const closed = await control(`/disputes/${dispute.id}/close`, { status: 'won' });
    expect(await closed.json()).toMatchObject({ id: dispute.id, status: 'won' });
    expect(disputeOf(await r.next('charge.dispute.closed')).status).toBe('won');
    expect(disputeOf(await r.next('charge.dispute.funds_reinstated')).id).toBe(dispute.id);
    expect((await control(`/disputes/${dispute.id}/close`, { status: 'lost' })).status).toBe(400);
    // Won: the money is back and the charge can be refunded again.
    expect((await stripe.refunds.create({ payment_intent: won.id, amount: 100 })).status).toBe('succeeded');

    const lost = await paidWith('pm_card_visa');
    const lostDispute = t.sandbox.control.disputePaymentIntent(lost.id);
    expect(t.sandbox.control.closeDispute(lostDispute.id, 'lost').status).toBe('lost');
    await t.sandbox.webhooks.idle();
    const lostEvents = r.events().filter((e) => disputeOf(e).id === lostDispute.id).map((e) => e.type);
    expect(lostEvents).toEqual(['charge.dispute.created', 'charge.dispute.funds_withdrawn', 'charge.dispute.closed']);
  });

  it('refuse what cannot be disputed or closed', async () => {
    await setUp();
    const uncaptured = await stripe.paymentIntents.create({ amount: 900, currency: 'usd' });
    expect((await control(`/payment_intents/${uncaptured.id}/dispute`)).status).toBe(400);
    expect((await control('/payment_intents/pi_missing/dispute')).status).toBe(404);
    const pi = await paidWith('pm_card_visa');
    expect((await control(`/payment_intents/${pi.id}/dispute`, { reason: 'boredom' })).status).toBe(400);
    const dispute = t.sandbox.control.disputePaymentIntent(pi.id);
    expect((await control(`/disputes/${dispute.id}/close`, { status: 'maybe' })).status).toBe(400);
    expect((await control('/disputes/dp_missing/close', { status: 'won' })).status).toBe(404);
  });
});

describe('responding to a dispute through stripe-node, with Stripe’s test evidence', () => {
  it('winning_evidence: charge.dispute.updated (under_review), then closed as won', async () => {
    await setUp();
    const pi = await paidWith('pm_card_createDispute');
    t.sandbox.control.runPending();
    const dispute = disputeOf(await r.next('charge.dispute.created'));
    const updated = await stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: 'winning_evidence', customer_name: 'Jenny Rosen' } });
    expect(updated.status).toBe('under_review');
    expect(updated.evidence_details).toMatchObject({ has_evidence: true, submission_count: 1 });
    const event = (await r.next('charge.dispute.updated')) as Stripe.ChargeDisputeUpdatedEvent;
    expect(event.data.object.status).toBe('under_review');
    const previous = event.data.previous_attributes as Partial<Stripe.Dispute>;
    expect(previous.status).toBe('needs_response');
    expect(previous.evidence?.uncategorized_text).toBeNull();
    expect(previous.evidence_details?.has_evidence).toBe(false);
    expect(event.request?.id).toBe(updated.lastResponse.requestId);

    expect(t.sandbox.control.pending()).toMatchObject([{ kind: 'dispute.close', target: dispute.id, params: { outcome: 'won' } }]);
    t.sandbox.control.runPending();
    expect(disputeOf(await r.next('charge.dispute.closed')).status).toBe('won');
    expect((await stripe.disputes.retrieve(dispute.id)).status).toBe('won');
    expect((await caught(() => stripe.disputes.update(dispute.id, { metadata: { late: 'yes' } }))).statusCode).toBe(400);
    expect((await stripe.disputes.list({ payment_intent: pi.id })).data).toHaveLength(1);
  });

  it('losing_evidence closes as lost; submit: false only stages; disputes.close accepts (lost)', async () => {
    await setUp({ asyncDelayMs: 50 });
    const first = await paidWith('pm_card_createDispute');
    const losing = disputeOf(await r.next('charge.dispute.created', (e) => disputeOf(e).payment_intent === first.id));
    const staged = await stripe.disputes.update(losing.id, { evidence: { uncategorized_text: 'losing_evidence' }, submit: false });
    expect(staged.status).toBe('needs_response');
    expect(staged.evidence_details.has_evidence).toBe(true);
    expect(staged.evidence_details.submission_count).toBe(0);
    expect(t.sandbox.control.pending()).toEqual([]);
    await stripe.disputes.update(losing.id, { submit: true });
    const closed = await r.next('charge.dispute.closed', (e) => disputeOf(e).id === losing.id);
    expect(disputeOf(closed).status).toBe('lost');

    const second = await paidWith('pm_card_createDispute');
    const accepted = disputeOf(await r.next('charge.dispute.created', (e) => disputeOf(e).payment_intent === second.id));
    const done = await stripe.disputes.close(accepted.id);
    expect(done.status).toBe('lost');
    await t.sandbox.webhooks.idle();
    const types = typesOf(r).filter((type) => type.startsWith('charge.dispute.'));
    expect(types.filter((type) => type === 'charge.dispute.closed')).toHaveLength(2);
    expect(types).not.toContain('charge.dispute.funds_reinstated');
  });
});
