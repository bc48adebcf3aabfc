/**
 * A verified Stripe event, reduced to the facts paycall acts on (src/contract/payment-events.ts):
 * ids, statuses, amounts and reasons, and the call that paycall's metadata names. Nothing else
 * of the event goes on: Stripe objects carry card details (brand, last four, fingerprint) and
 * billing data that the payment events workflow has no use for. Pure; unit-tested.
 */
import type Stripe from 'stripe';
import { callWorkflowId } from '../contract/call.js';
import { handledStripeEventTypes, type HandledStripeEventType, type PaymentEvent } from '../contract/payment-events.js';

export function isHandledEventType(type: string): type is HandledStripeEventType {
  return (handledStripeEventTypes as readonly string[]).includes(type);
}

/** The PaymentEvent of a handled event, or undefined when it names no PaymentIntent (a refund of a bare Charge). */
export function paymentEventOf(event: Stripe.Event): PaymentEvent | undefined {
  if (!isHandledEventType(event.type)) return undefined;
  const base = { eventId: event.id, type: event.type, created: event.created };
  switch (event.type) {
    case 'payment_intent.succeeded': {
      const intent = event.data.object as Stripe.PaymentIntent;
      return {
        ...base,
        ...callOf(intent.metadata, 'call_sid'),
        kind: 'charge-succeeded',
        paymentIntentId: intent.id,
        amount: intent.amount_received || intent.amount,
        currency: intent.currency,
      };
    }
    case 'refund.created':
    case 'refund.updated':
    case 'refund.failed':
    case 'charge.refund.updated': {
      const refund = event.data.object as Stripe.Refund;
      const paymentIntentId = idOf(refund.payment_intent);
      if (!paymentIntentId) return undefined;
      const requestKey = refund.metadata?.refund_request;
      return {
        ...base,
        ...callOf(refund.metadata, 'call_workflow_id'),
        kind: 'refund',
        paymentIntentId,
        refund: {
          refundId: refund.id,
          // refund.failed always means failed, whatever an older snapshot of the object said.
          status: event.type === 'refund.failed' ? 'failed' : (refund.status ?? 'pending'),
          amount: refund.amount,
          currency: refund.currency,
          ...(refund.failure_reason ? { failureReason: refund.failure_reason } : {}),
          ...(refund.pending_reason ? { pendingReason: refund.pending_reason } : {}),
          ...(requestKey ? { requestKey } : {}),
        },
      };
    }
    case 'charge.dispute.created':
    case 'charge.dispute.updated':
    case 'charge.dispute.closed': {
      const dispute = event.data.object as Stripe.Dispute;
      const paymentIntentId = idOf(dispute.payment_intent);
      if (!paymentIntentId) return undefined;
      const dueBy = dispute.evidence_details?.due_by;
      return {
        ...base,
        kind: 'dispute',
        paymentIntentId,
        dispute: {
          disputeId: dispute.id,
          status: dispute.status,
          reason: dispute.reason,
          amount: dispute.amount,
          currency: dispute.currency,
          ...(typeof dueBy === 'number' ? { dueBy } : {}),
        },
      };
    }
  }
}

function idOf(value: string | { id: string } | null | undefined): string | undefined {
  if (!value) return undefined;
  return typeof value === 'string' ? value : value.id;
}

/** The call (and order) paycall's metadata names: a PaymentIntent's `call_sid`, a refund's `call_workflow_id`. */
function callOf(metadata: Stripe.Metadata | null | undefined, key: 'call_sid' | 'call_workflow_id'): { callWorkflowId?: string; orderId?: string } {
  const value = metadata?.[key];
  const callId = value ? (key === 'call_sid' ? callWorkflowId(value) : value) : undefined;
  const orderId = metadata?.order_id;
  return { ...(callId && /^call-[A-Za-z0-9_-]{1,200}$/.test(callId) ? { callWorkflowId: callId } : {}), ...(orderId ? { orderId } : {}) };
}
