/**
 * The pure parts of hearing from Stripe: which facts of a Stripe event paycall keeps
 * (stripe-events.ts), how events fold into a PaymentIntent's record in any order
 * (payment-event-state.ts), and what paycall decides about a charge its call never recorded.
 */
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import type { CallRecord, PaymentEvent } from '../../src/contract/payment-events.js';
import { paymentEventOf } from '../../src/webhooks/stripe-events.js';
import { applyPaymentEvent, emptyPaymentEventsState, reconciliationOf } from '../../src/workflows/payment-event-state.js';

const pi = 'pi_unit_0001';

function event(type: string, object: Record<string, unknown>, created = 1_800_000_000, id = `evt_${type}_${created}`): Stripe.Event {
  return { id, object: 'event', type, created, data: { object }, livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, api_version: '2026-10-28.endive' } as unknown as Stripe.Event;
}

const refundObject = (status: string, extra: Record<string, unknown> = {}) => ({
  id: 're_unit_1',
  object: 'refund',
  amount: 1999,
  currency: 'usd',
  payment_intent: pi,
  status,
  metadata: { call_workflow_id: 'call-CA0001', order_id: '73021', refund_request: 'full' },
  ...extra,
});
const disputeObject = (status: string) => ({ id: 'dp_unit_1', object: 'dispute', amount: 1999, currency: 'usd', payment_intent: pi, charge: 'ch_1', status, reason: 'fraudulent', evidence_details: { due_by: 1_800_600_000 } });

describe('paymentEventOf', () => {
  it('keeps ids, statuses, amounts, reasons and the call paycall named; nothing of the card', () => {
    const charge = paymentEventOf(
      event('payment_intent.succeeded', {
        id: pi,
        object: 'payment_intent',
        amount: 1999,
        amount_received: 1999,
        currency: 'usd',
        metadata: { call_sid: 'CA0001', order_id: '73021' },
        payment_method: { id: 'pm_1', card: { last4: '4242', brand: 'visa', fingerprint: 'fp_secretish' } },
      }),
    );
    expect(charge).toEqual({ eventId: expect.any(String), type: 'payment_intent.succeeded', created: 1_800_000_000, kind: 'charge-succeeded', paymentIntentId: pi, amount: 1999, currency: 'usd', callWorkflowId: 'call-CA0001', orderId: '73021' });
    expect(JSON.stringify(charge)).not.toMatch(/4242|fingerprint|fp_/);

    expect(paymentEventOf(event('refund.failed', refundObject('succeeded', { failure_reason: 'lost_or_stolen_card' })))).toMatchObject({
      kind: 'refund',
      callWorkflowId: 'call-CA0001',
      refund: { refundId: 're_unit_1', status: 'failed', failureReason: 'lost_or_stolen_card', requestKey: 'full' },
    });
    expect(paymentEventOf(event('charge.dispute.created', disputeObject('needs_response')))).toMatchObject({
      kind: 'dispute',
      paymentIntentId: pi,
      dispute: { disputeId: 'dp_unit_1', status: 'needs_response', reason: 'fraudulent', amount: 1999, dueBy: 1_800_600_000 },
    });
  });

  it('ignores types paycall does not act on, refunds of a bare charge, and metadata that is not a call id', () => {
    expect(paymentEventOf(event('customer.created', { id: 'cus_1' }))).toBeUndefined();
    expect(paymentEventOf(event('refund.updated', { ...refundObject('succeeded'), payment_intent: null }))).toBeUndefined();
    const odd = paymentEventOf(event('refund.updated', refundObject('succeeded', { metadata: { call_workflow_id: 'refund-x; drop' } })));
    expect(odd?.callWorkflowId).toBeUndefined();
  });
});

function fold(events: Stripe.Event[]) {
  const state = emptyPaymentEventsState(pi);
  const alerts = events.flatMap((e) => applyPaymentEvent(state, paymentEventOf(e) as PaymentEvent, '2027-01-15T08:00:00.000Z').alerts);
  return { state, alerts };
}

describe('applyPaymentEvent', () => {
  const pending = event('refund.created', refundObject('pending', { pending_reason: 'processing' }), 100);
  const succeeded = event('refund.updated', refundObject('succeeded'), 105);
  const failed = event('refund.failed', refundObject('failed', { failure_reason: 'expired_or_canceled_card' }), 110);

  it('ends with the latest status whatever order the deliveries came in, and alerts once on a failure', () => {
    const inOrder = fold([pending, succeeded, failed]);
    const reversed = fold([failed, succeeded, pending]);
    for (const { state, alerts } of [inOrder, reversed]) {
      expect(state.refunds).toMatchObject([{ refundId: 're_unit_1', status: 'failed', failureReason: 'expired_or_canceled_card' }]);
      expect(alerts.map((a) => [a.alert, a.level])).toEqual([['refund-failed', 'error']]);
    }
    expect(inOrder.state.entries.map((e) => e.status)).toEqual(['pending', 'succeeded', 'failed']);
    // Stale deliveries add no entry: the timeline never shows a status going backwards.
    expect(reversed.state.entries.map((e) => e.status)).toEqual(['failed']);
  });

  it('within one second (Stripe’s resolution), the status further along wins', () => {
    const sameSecond = [event('charge.dispute.closed', disputeObject('lost'), 200, 'evt_b'), event('charge.dispute.created', disputeObject('needs_response'), 200, 'evt_a')];
    const { state } = fold(sameSecond);
    expect(state.disputes).toMatchObject([{ disputeId: 'dp_unit_1', status: 'lost', openedAt: 200 }]);
  });

  it('applying the same event twice changes nothing the second time', () => {
    const state = emptyPaymentEventsState(pi);
    const first = applyPaymentEvent(state, paymentEventOf(failed) as PaymentEvent);
    const again = applyPaymentEvent(state, paymentEventOf(failed) as PaymentEvent);
    expect(first).toMatchObject({ changed: true, alerts: [expect.objectContaining({ alert: 'refund-failed' })] });
    expect(again).toEqual({ changed: false, alerts: [], chargeSucceeded: false });
    expect(state.entries).toHaveLength(1);
  });
});

describe('reconciliationOf (payment_intent.succeeded)', () => {
  const closed = (outcome: string, paymentIntentId?: string, charged: string[] = []): CallRecord => ({
    state: 'closed',
    status: 'completed',
    outcome: { outcome, ...(paymentIntentId ? { paymentIntentId } : {}), chargedIntentIds: charged },
  });

  it('leaves a running call to itself, and does nothing about a charge the call recorded', () => {
    expect(reconciliationOf(pi, { state: 'running' })).toEqual({ action: 'wait' });
    expect(reconciliationOf(pi, closed('paid', pi, [pi]))).toMatchObject({ action: 'recorded' });
    expect(reconciliationOf(pi, closed('compensated', pi))).toMatchObject({ action: 'recorded' });
  });

  it('refunds a charge of a call that ended without it: the caller was told it failed', () => {
    expect(reconciliationOf(pi, closed('declined'))).toMatchObject({ action: 'refund', duplicate: false, cause: expect.stringContaining('ended declined without recording') });
    expect(reconciliationOf(pi, closed('paid', 'pi_other', ['pi_other']))).toMatchObject({ action: 'refund', duplicate: true, cause: expect.stringContaining('a second charge') });
  });

  it('asks a person when what the caller was told is unknown', () => {
    expect(reconciliationOf(pi, undefined)).toMatchObject({ action: 'review' });
    expect(reconciliationOf(pi, { state: 'not-found' })).toMatchObject({ action: 'review' });
    expect(reconciliationOf(pi, { state: 'closed', status: 'terminated' })).toMatchObject({ action: 'review', reason: expect.stringContaining('terminated without an outcome') });
  });
});
