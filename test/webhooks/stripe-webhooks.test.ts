/**
 * Stripe webhooks end to end: calls played through the Update protocol against a worker
 * whose Stripe activities talk to the local sandbox; the sandbox's signed events reach
 * POST /stripe/webhook and the payment events workflows; what an operator sees is read over
 * the operator API (and the CLI's text rendering). Each case is driven with the sandbox's
 * control calls and webhook faults. `RECORD_HISTORIES=1 npx vitest run <this file>` also saves
 * the refund and payment events workflows' histories for the replay net (stripe-*.json).
 */
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callWorkflowId } from '../../src/contract/call.js';
import { paymentEventsQuery, paymentEventsWorkflowId, type PaymentEventsState } from '../../src/contract/payment-events.js';
import { refundWorkflowId, type RefundOutcome } from '../../src/contract/refund.js';
import { renderCallsTable, renderTimelineText } from '../../src/operators/cli/render-text.js';
import { TestCall } from '../helpers/test-call.js';
import { playDeclined, scenarioSid, visa } from '../operators/support/scenarios.js';
import { eventually, recordHistoryIfAsked, startStripeEventsStack, webhookSecret, type StripeEventsStack } from './support/stripe-stack.js';

let stack: StripeEventsStack;

beforeAll(async () => {
  stack = await startStripeEventsStack();
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

afterEach(() => {
  stack.sandbox.webhooks.faults.reset();
});

/** A call paid with this test PaymentMethod (the sandbox's refund and dispute cards behave as Stripe's). */
async function paidCall(paymentToken: string, amount = 2500) {
  const order = stack.orders.add(amount, 'usd', 'two concert tickets');
  const call = new TestCall(stack.temporal.client, stack.taskQueue, { callSid: scenarioSid(), locale: 'en-US' });
  await call.start();
  await call.press(`${order.orderId}#`);
  await call.press('1');
  await call.pay({ ...visa, paymentToken });
  const outcome = await call.outcome();
  expect(outcome.outcome).toBe('paid');
  return { sid: call.input.callSid, order, paymentIntentId: outcome.paymentIntentId! };
}

const detail = (sid: string) => stack.api(`/api/calls/${sid}`);

async function stripeState(paymentIntentId: string): Promise<PaymentEventsState> {
  return stack.temporal.client.workflow.getHandle(paymentEventsWorkflowId(paymentIntentId)).query(paymentEventsQuery);
}

async function refundInFull(sid: string) {
  const r = await stack.api(`/api/calls/${sid}/refunds`, { method: 'POST', body: JSON.stringify({ full: true }) });
  expect([200, 202]).toContain(r.status);
  return r.body.refund as { status: string; refundId?: string; pendingReason?: string };
}

function signed(payload: string, secret = webhookSecret): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret });
}

function postWebhook(body: string, signature?: string) {
  return fetch(`${stack.baseUrl}/stripe/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', ...(signature ? { 'stripe-signature': signature } : {}) }, body });
}

describe('refunds, as Stripe settles or fails them after the call', () => {
  it('shows a pending refund as pending, then refunded when refund.updated says it succeeded', async () => {
    const { sid } = await paidCall('pm_card_pendingRefund');
    const refund = await refundInFull(sid);
    expect(refund).toMatchObject({ status: 'pending', refundId: expect.stringMatching(/^re_/), pendingReason: 'processing' });

    const before = (await detail(sid)).body;
    expect(before.refunds).toMatchObject([{ status: 'pending', refundId: refund.refundId }]);
    expect(before.outcome).toBe('paid'); // not refunded yet: the money has not gone back
    expect(before.whereFailed).toContain('in progress');

    stack.sandbox.control.succeedRefund(refund.refundId!);
    const after = (await eventually(() => detail(sid), (r) => r.body.refunds?.[0]?.status === 'refunded')).body;
    expect(after.refunds).toMatchObject([{ status: 'refunded', refundId: refund.refundId, amount: 2500 }]);
    expect(after.outcome).toBe('refunded');
    const stripeEntry = after.timeline.entries.find((e: any) => e.title === 'Refund at Stripe' && e.status === 'ok');
    expect(stripeEntry?.summary).toBe(`Stripe: refund ${refund.refundId} of $25.00 succeeded`);
    expect(stack.alerts.where({ alert: 'refund-failed', refundId: refund.refundId })).toHaveLength(0);
    const paymentIntentId = after.paymentIntentId as string;
    await recordHistoryIfAsked(stack.temporal.client, refundWorkflowId(paymentIntentId, 'full'), 'refund-pending');
    await recordHistoryIfAsked(stack.temporal.client, paymentEventsWorkflowId(paymentIntentId), 'events-refund-settled');
  });

  it('shows a pending refund that Stripe then fails as failed, with its reason, and alerts once at error level', async () => {
    const { sid, order } = await paidCall('pm_card_pendingRefund', 4200);
    const refund = await refundInFull(sid);
    expect(refund.status).toBe('pending');

    stack.sandbox.control.failRefund(refund.refundId!, 'expired_or_canceled_card');
    const after = (await eventually(() => detail(sid), (r) => r.body.refunds?.[0]?.status === 'failed')).body;
    expect(after.refunds).toMatchObject([{ status: 'failed', refundId: refund.refundId, failureReason: 'expired_or_canceled_card' }]);
    expect(after.outcome).toBe('refund-failed');
    expect(after.whereFailed).toContain(`Stripe then failed refund ${refund.refundId} of $42.00 (expired_or_canceled_card)`);
    // It can be refunded again: a failed refund gave the money back to the charge.
    expect(after.refundable).toMatchObject({ amount: 4200 });

    const alerts = await eventually(async () => stack.alerts.where({ alert: 'refund-failed', refundId: refund.refundId }), (a) => a.length > 0);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ level: 50, reason: 'expired_or_canceled_card', callWorkflowId: callWorkflowId(sid), orderId: order.orderId });

    // The refund-failed filter finds the call, through its PaymentIntent's events workflow.
    const list = await eventually(() => stack.api(`/api/calls?outcome=refund-failed&order=${order.orderId}`), (r) => r.body.calls?.length > 0);
    expect(list.body.calls.map((c: any) => c.callSid)).toEqual([sid]);
    await recordHistoryIfAsked(stack.temporal.client, paymentEventsWorkflowId(after.paymentIntentId), 'events-refund-failed');
    console.log(`\n--- sample: a failed refund (npm run inspect) ---\n${renderTimelineText(after.timeline, { detail: after })}\n`);
  });

  it('turns a refund Stripe reported succeeded into failed when refund.failed comes later (Stripe’s refundFail card)', async () => {
    const { sid } = await paidCall('pm_card_refundFail', 1800);
    const refund = await refundInFull(sid);
    expect(refund.status).toBe('refunded');
    expect((await detail(sid)).body.outcome).toBe('refunded');

    stack.sandbox.control.failRefund(refund.refundId!);
    const after = (await eventually(() => detail(sid), (r) => r.body.refunds?.[0]?.status === 'failed')).body;
    expect(after.refunds).toMatchObject([{ status: 'failed', refundId: refund.refundId, failureReason: 'expired_or_canceled_card' }]);
    expect(after.outcome).toBe('refund-failed');
    expect(after.refundedAmount).toBeUndefined();
    expect(await eventually(async () => stack.alerts.where({ alert: 'refund-failed', refundId: refund.refundId }), (a) => a.length > 0)).toHaveLength(1);
  });
});

describe('disputes', () => {
  it('puts a dispute on the call timeline and views, from created to closed', async () => {
    const { sid, order, paymentIntentId } = await paidCall('pm_card_visa', 1999);
    const dispute = stack.sandbox.control.disputePaymentIntent(paymentIntentId, 'fraudulent');

    const open = (await eventually(() => detail(sid), (r) => r.body.disputes?.length > 0)).body;
    expect(open.disputes).toMatchObject([{ disputeId: dispute.id, paymentIntentId, status: 'needs_response', reason: 'fraudulent', amount: 1999, currency: 'usd', open: true }]);
    expect(open.disputes[0].dueBy).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(open.disputeText).toBe('disputed: needs response (fraudulent)');
    expect(open.timeline.entries.filter((e: any) => e.step === 'dispute')).toMatchObject([{ status: 'failed', disputeId: dispute.id }]);
    expect(open.whereFailed).toContain(`Disputed by the cardholder's bank (fraudulent, $19.99, ${dispute.id}): needs response, evidence due by`);
    const list = await eventually(() => stack.api(`/api/calls?order=${order.orderId}`), (r) => r.body.calls?.[0]?.disputes?.length > 0);
    expect(list.body.calls[0]).toMatchObject({ callSid: sid, outcome: 'paid', disputeText: 'disputed: needs response (fraudulent)' });
    expect(renderCallsTable(list.body.calls)).toContain('paid · disputed');
    expect(stack.alerts.where({ alert: 'dispute-opened', disputeId: dispute.id })).toHaveLength(1);

    stack.sandbox.control.closeDispute(dispute.id, 'lost');
    const closed = (await eventually(() => detail(sid), (r) => r.body.disputes?.[0]?.status === 'lost')).body;
    expect(closed.disputes).toMatchObject([{ disputeId: dispute.id, status: 'lost', open: false }]);
    expect(closed.disputes[0].dueBy).toBeUndefined();
    expect(closed.disputeText).toBe('dispute lost (fraudulent)');
    expect(closed.timeline.entries.filter((e: any) => e.step === 'dispute').map((e: any) => e.summary)).toEqual([
      expect.stringContaining("The cardholder's bank disputed $19.99 (fraudulent): needs response"),
      `Dispute closed: lost, the amount went back to the cardholder (${dispute.id})`,
    ]);
    const text = renderTimelineText(closed.timeline, { detail: closed });
    expect(text).toContain(`dispute   closed: lost · fraudulent · $19.99 · ${dispute.id}`);
    console.log(`\n--- sample: a disputed call (npm run inspect) ---\n${text}\n`);

    // The charge itself was the call's: its payment_intent.succeeded is reconciled as recorded, nothing refunded.
    const state = await eventually(() => stripeState(paymentIntentId), (s) => s.reconciliation?.decision === 'recorded-by-call');
    expect(state.reconciliation?.decision).toBe('recorded-by-call');
    expect((await stack.stripe.refunds.list({ payment_intent: paymentIntentId })).data).toHaveLength(0);
    const routine = (await detail(sid)).body;
    expect(routine.timeline.entries.some((e: any) => e.title === 'Unrecorded charge')).toBe(false);
    expect(routine.timeline.reconciliations).toBeUndefined();
    await recordHistoryIfAsked(stack.temporal.client, paymentEventsWorkflowId(paymentIntentId), 'events-dispute-lost');
  });
});

describe('a charge its call never recorded', () => {
  it('refunds a payment_intent.succeeded whose call ended declined, through the refund workflow, once', async () => {
    const order = stack.orders.add(3100, 'usd', 'a museum annual pass');
    const played = await playDeclined(stack.temporal.client, stack.taskQueue, order);
    expect(played.outcome.outcome).toBe('declined');
    const sid = played.call.input.callSid;
    // As if the call lost the response of a charge that went through: Stripe has it, the call does not.
    const intent = await stack.stripe.paymentIntents.create(
      { amount: 3100, currency: 'usd', confirm: true, payment_method: 'pm_card_visa', metadata: { call_sid: sid, order_id: order.orderId, capture_attempt: '9' } },
      { idempotencyKey: `test/${sid}/lost-charge` },
    );
    expect(intent.status).toBe('succeeded');

    const refundId = refundWorkflowId(intent.id, 'unrecorded-charge');
    const outcome = (await eventually(
      async () => {
        try {
          return (await stack.temporal.client.workflow.getHandle(refundId).result()) as RefundOutcome;
        } catch {
          return undefined;
        }
      },
      (o) => o !== undefined,
    ))!;
    expect(outcome).toMatchObject({ status: 'refunded', amount: 3100, paymentIntentId: intent.id, callWorkflowId: callWorkflowId(sid) });
    const refunds = (await stack.stripe.refunds.list({ payment_intent: intent.id })).data;
    expect(refunds).toHaveLength(1);
    expect(refunds[0]!.metadata).toMatchObject({ refund_request: 'unrecorded-charge', cause: expect.stringContaining('the call ended declined without recording') });

    const shown = (await eventually(() => detail(sid), (r) => r.body.timeline?.reconciliations?.length > 0)).body;
    expect(shown.outcome).toBe('declined');
    expect(shown.timeline.reconciliations).toMatchObject([{ decision: 'refunded', paymentIntentId: intent.id }]);
    expect(shown.whereFailed).toContain(`Stripe also charged ${intent.id} ($31.00), which the call never recorded; paycall refunded it`);
    expect(shown.timeline.entries.some((e: any) => e.title === 'Unrecorded charge')).toBe(true);
    expect(stack.alerts.where({ alert: 'unrecorded-charge-refunded', paymentIntentId: intent.id })).toHaveLength(1);
    await recordHistoryIfAsked(stack.temporal.client, paymentEventsWorkflowId(intent.id), 'events-unrecorded-charge-refunded');
  });
});

describe('POST /stripe/webhook', () => {
  it('refuses a forged event with 400 and changes nothing', async () => {
    const { sid, paymentIntentId } = await paidCall('pm_card_visa', 1500);
    await eventually(() => stripeState(paymentIntentId).catch(() => undefined), (s) => s !== undefined);
    const forged = JSON.stringify({
      id: 'evt_forged_0001',
      object: 'event',
      type: 'charge.dispute.created',
      created: Math.floor(Date.now() / 1000),
      data: { object: { id: 'dp_forged_0001', object: 'dispute', payment_intent: paymentIntentId, status: 'needs_response', reason: 'fraudulent', amount: 1500, currency: 'usd' } },
    });
    const elsewhere = forged.replaceAll(paymentIntentId, 'pi_forged_nowhere');
    const linesBefore = stack.webLog.lines.length;
    const refusals = [
      await postWebhook(forged), // no signature
      await postWebhook(forged, signed(forged, 'whsec_not_the_endpoint_secret')), // someone else's secret
      await postWebhook(forged, signed(forged.replace('1500', '1')).replace('v1=', 'v1=00')), // a mangled signature
      await postWebhook(forged.replace('needs_response', 'lost'), signed(forged)), // signed, then altered
      await postWebhook(elsewhere, signed(elsewhere, 'whsec_wrong')),
    ];
    expect(refusals.map((r) => r.status)).toEqual([400, 400, 400, 400, 400]);
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const state = await stripeState(paymentIntentId);
    expect(state.disputes).toEqual([]);
    expect((await detail(sid)).body.disputes).toBeUndefined();
    await expect(stack.temporal.client.workflow.getHandle(paymentEventsWorkflowId('pi_forged_nowhere')).describe()).rejects.toThrow(/not found/i);
    // One line per refusal, saying only that it was refused.
    const lines = stack.webLog.lines.slice(linesBefore).filter((l) => l.component === 'stripe-webhook');
    expect(lines.map((l) => l.msg)).toEqual([
      'refused a Stripe webhook: it has no Stripe-Signature header',
      ...Array(4).fill('refused a Stripe webhook: its signature does not verify'),
    ]);
    expect(JSON.stringify(lines)).not.toContain('dp_forged');
  });

  it('acknowledges event types paycall does not act on (200) and ignores them', async () => {
    const body = JSON.stringify({ id: 'evt_ignored_0001', object: 'event', type: 'customer.created', created: Math.floor(Date.now() / 1000), data: { object: { id: 'cus_1', object: 'customer' } } });
    const r = await postWebhook(body, signed(body));
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ received: true, ignored: true });
    expect(stack.webLog.where({ eventId: 'evt_ignored_0001', msg: 'ignored a Stripe event paycall does not act on', level: 20 })).toHaveLength(1);
  });

  it('applies a duplicated event once', async () => {
    const { sid, paymentIntentId } = await paidCall('pm_card_visa', 2200);
    await eventually(() => stripeState(paymentIntentId).catch(() => undefined), (s) => s?.reconciliation?.decision === 'recorded-by-call');
    stack.sandbox.webhooks.faults.set({ duplicateNext: 10 });
    const dispute = stack.sandbox.control.disputePaymentIntent(paymentIntentId, 'product_not_received');
    await eventually(() => detail(sid), (r) => r.body.disputes?.length > 0);
    await stack.sandbox.webhooks.idle();

    const created = (await stack.stripe.events.list({ type: 'charge.dispute.created', limit: 100 })).data.find((e) => (e.data.object as Stripe.Dispute).id === dispute.id)!;
    const attempts = stack.sandbox.webhooks.deliveries({ event: created.id }).flatMap((d) => d.attempts);
    expect(attempts.map((a) => [a.status, a.injected ?? null])).toEqual([[200, null], [200, 'duplicate']]);
    expect(stack.webLog.where({ eventId: created.id, msg: 'Stripe event delivered' })).toHaveLength(2);

    const state = await stripeState(paymentIntentId);
    expect(state.entries.filter((e) => e.eventId === created.id)).toHaveLength(1);
    expect(state.disputes).toMatchObject([{ disputeId: dispute.id, status: 'needs_response', reason: 'product_not_received' }]);
    expect(stack.alerts.where({ alert: 'dispute-opened', disputeId: dispute.id })).toHaveLength(1);
    const shown = (await detail(sid)).body;
    expect(shown.timeline.entries.filter((e: any) => e.step === 'dispute')).toHaveLength(1);
  });

  it('ends in the right state when events arrive newest first', async () => {
    const { sid, paymentIntentId } = await paidCall('pm_card_visa', 2700);
    await eventually(() => stripeState(paymentIntentId).catch(() => undefined), (s) => s?.reconciliation?.decision === 'recorded-by-call');
    stack.sandbox.webhooks.faults.set({ reorderNext: 2, reorderWindowMs: 5000 });
    const dispute = stack.sandbox.control.disputePaymentIntent(paymentIntentId, 'fraudulent');
    stack.sandbox.control.closeDispute(dispute.id, 'won');
    await stack.sandbox.webhooks.idle();

    const delivered = stack.webLog.lines.filter((l) => l.msg === 'Stripe event delivered' && l.paymentIntentId === paymentIntentId && String(l.type).startsWith('charge.dispute.'));
    expect(delivered.map((l) => l.type)).toEqual(['charge.dispute.closed', 'charge.dispute.created']); // the faults did reorder them

    const shown = (await eventually(() => detail(sid), (r) => r.body.disputes?.[0]?.status === 'won')).body;
    expect(shown.disputes).toMatchObject([{ disputeId: dispute.id, status: 'won', open: false, reason: 'fraudulent' }]);
    expect(shown.outcome).toBe('paid');
    expect(shown.whereFailed).toContain('won, the funds were reinstated');
    const state = await stripeState(paymentIntentId);
    expect(state.disputes).toHaveLength(1);
  });
});
