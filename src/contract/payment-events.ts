/**
 * What Stripe tells paycall after the call, and where it goes. The web layer verifies each
 * Stripe webhook (POST /stripe/webhook) and keeps only the facts paycall acts on (ids,
 * statuses, amounts, reasons; never card data) as a PaymentEvent, then signals it to one
 * small workflow per PaymentIntent, `payment-events-<PaymentIntent>` (paymentEventsWorkflow,
 * started with signalWithStart). That workflow dedupes by Stripe event id, keeps the latest
 * status of each refund and dispute whatever order the deliveries arrive in, reconciles a
 * charge its call never recorded, and keeps its state in its memo, where the operator tools
 * read it without a worker. Imported by both sides; pure.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';

export const paymentEventsWorkflowType = 'paymentEventsWorkflow';

export function paymentEventsWorkflowId(paymentIntentId: string): string {
  return `payment-events-${paymentIntentId}`;
}

/** The Stripe event types paycall acts on; every other type is acknowledged and ignored. */
export const handledStripeEventTypes = [
  'payment_intent.succeeded',
  'refund.created',
  'refund.updated',
  'refund.failed',
  /** The same Refund object as refund.updated; endpoints set up before refund.* existed receive this one. */
  'charge.refund.updated',
  'charge.dispute.created',
  'charge.dispute.updated',
  'charge.dispute.closed',
] as const;
export type HandledStripeEventType = (typeof handledStripeEventTypes)[number];

/** A refund as a Stripe event showed it. */
export interface StripeRefundFacts {
  refundId: string;
  /** Stripe's: `pending`, `requires_action`, `succeeded`, `failed`, `canceled`. */
  status: string;
  amount: number;
  currency: string;
  /** Stripe's `failure_reason` (`expired_or_canceled_card`, `lost_or_stolen_card`, …). */
  failureReason?: string;
  /** Stripe's `pending_reason` (`processing`, `insufficient_funds`, `charge_pending`). */
  pendingReason?: string;
  /** paycall's `refund_request` metadata: which refund request made it; absent when made outside paycall (the Dashboard). */
  requestKey?: string;
}

/** A dispute (chargeback) as a Stripe event showed it. */
export interface StripeDisputeFacts {
  disputeId: string;
  /** Stripe's: `needs_response`, `under_review`, `won`, `lost`, `warning_*`, `prevented`, … */
  status: string;
  /** The cardholder's reason: `fraudulent`, `product_not_received`, … */
  reason: string;
  amount: number;
  currency: string;
  /** When evidence is due, unix seconds. */
  dueBy?: number;
}

interface PaymentEventBase {
  /** Stripe's event id (`evt_…`): deliveries of the same event are applied once. */
  eventId: string;
  type: HandledStripeEventType;
  /** Stripe's `created`, unix seconds: how deliveries that arrive out of order are put back in order. */
  created: number;
  paymentIntentId: string;
  /** From paycall's metadata on the object (a PaymentIntent's `call_sid`, a refund's `call_workflow_id`), when it has some. */
  callWorkflowId?: string;
  orderId?: string;
}

export type PaymentEvent =
  | (PaymentEventBase & { kind: 'charge-succeeded'; amount: number; currency: string })
  | (PaymentEventBase & { kind: 'refund'; refund: StripeRefundFacts })
  | (PaymentEventBase & { kind: 'dispute'; dispute: StripeDisputeFacts });

/** The latest Stripe reported of one refund, and the event that said so. */
export interface RefundAtStripe extends StripeRefundFacts {
  /** The reporting event's `created`, unix seconds. */
  created: number;
  eventId: string;
}

/** The latest Stripe reported of one dispute. */
export interface DisputeAtStripe extends StripeDisputeFacts {
  /** When paycall first heard of it (that event's `created`, unix seconds). */
  openedAt: number;
  created: number;
  eventId: string;
}

/**
 * What paycall decided about a succeeded charge (payment_intent.succeeded):
 * - `waiting-for-call`: the call is still running and may still record it;
 * - `recorded-by-call`: the call's outcome or step log has this PaymentIntent charged: nothing to do;
 * - `refunded` / `refund-refused`: the call ended without recording it, so the caller was told
 *   the payment did not go through: refunded through refundWorkflow (request key `unrecorded-charge`);
 * - `needs-review`: paycall cannot tell what the caller was told (no call workflow, or one that
 *   ended without an outcome): nothing refunded automatically, an operator decides.
 */
export const reconciliationDecisions = ['waiting-for-call', 'recorded-by-call', 'refunded', 'refund-refused', 'needs-review'] as const;
export type ReconciliationDecision = (typeof reconciliationDecisions)[number];

/** The refund request key of a charge its call never recorded. */
export const unrecordedChargeRequestKey = 'unrecorded-charge';

export interface Reconciliation {
  decision: ReconciliationDecision;
  /** Why, for operators. */
  reason: string;
  /** Workflow time of the decision, ISO 8601. */
  at: string;
  refundWorkflowId?: string;
  refundId?: string;
}

/** One change, for the call's timeline. */
export interface PaymentEventEntry {
  /** When it happened: the Stripe event's `created` (ISO 8601), or workflow time for a reconciliation. */
  at: string;
  /** When paycall applied it (workflow time, ISO 8601): Stripe's `created` has whole seconds only. */
  receivedAt?: string;
  eventId?: string;
  kind: 'refund' | 'dispute' | 'reconciliation';
  /** The refund's or dispute's new Stripe status, or the reconciliation decision. */
  status: string;
  refundId?: string;
  disputeId?: string;
  amount?: number;
  currency?: string;
  /** A refund's failure or pending reason, a dispute's reason, or why a reconciliation decided so. */
  reason?: string;
  /** Disputes: when evidence is due, unix seconds. */
  dueBy?: number;
}

/** The per-PaymentIntent workflow's state: its query's answer, its memo's `state`, its result. */
export interface PaymentEventsState {
  paymentIntentId: string;
  callWorkflowId?: string;
  orderId?: string;
  /** payment_intent.succeeded, as Stripe reported it. */
  charge?: { amount: number; currency: string; created: number; eventId: string };
  refunds: RefundAtStripe[];
  disputes: DisputeAtStripe[];
  reconciliation?: Reconciliation;
  /** What changed, oldest first (the last 100). */
  entries: PaymentEventEntry[];
}

/** The workflow's memo: list views match it to its call by `callWorkflowId`, as they do refund memos. */
export interface PaymentEventsMemo {
  paymentIntentId: string;
  callWorkflowId?: string;
  state: PaymentEventsState;
}

/** The workflow's input; a continued run carries its state, the event ids it applied and events not yet applied. */
export interface PaymentEventsInput {
  paymentIntentId: string;
  state?: PaymentEventsState;
  appliedEventIds?: string[];
  inbox?: PaymentEvent[];
}

/** A structured line for operators' alerting (the reportPaymentAlert activity logs it). */
export interface PaymentAlert {
  alert: 'refund-failed' | 'dispute-opened' | 'dispute-closed' | 'unrecorded-charge-refunded' | 'unrecorded-charge-refund-refused' | 'unrecorded-charge-needs-review';
  level: 'error' | 'warn';
  message: string;
  paymentIntentId: string;
  callWorkflowId?: string;
  orderId?: string;
  refundId?: string;
  disputeId?: string;
  status?: string;
  reason?: string;
  amount?: number;
  currency?: string;
  eventId?: string;
}

/** The call as the readCallRecord activity found it. */
export type CallRecord =
  | { state: 'running' }
  | { state: 'not-found' }
  | {
      state: 'closed';
      /** Temporal's close status: completed, failed, terminated, … */
      status: string;
      /** Absent when the call closed without a result (failed, terminated, timed out). */
      outcome?: { outcome: string; paymentIntentId?: string; chargedIntentIds: string[] };
    };

export const stripeEventSignal = defineSignal<[PaymentEvent]>('stripeEvent');
export const paymentEventsQuery = defineQuery<PaymentEventsState>('paymentEvents');

/** Refund statuses in the order Stripe moves through them: a later one never goes back. */
export function refundStatusRank(status: string): number {
  if (status === 'succeeded') return 1;
  if (status === 'failed' || status === 'canceled') return 2;
  return 0; // pending, requires_action
}

/** Stripe's closed dispute statuses. */
export const closedDisputeStatuses: readonly string[] = ['won', 'lost', 'warning_closed', 'prevented'];

export function isDisputeClosed(status: string): boolean {
  return closedDisputeStatuses.includes(status);
}

/** Dispute statuses in the order Stripe moves through them. */
export function disputeStatusRank(status: string): number {
  if (isDisputeClosed(status)) return 2;
  return /under_review$/.test(status) ? 1 : 0;
}

/**
 * Whether `incoming` (created, status) is at least as new as `current`: a later event wins;
 * between events of the same second (Stripe's resolution), the status further along does.
 */
export function supersedes(incoming: { created: number; rank: number }, current: { created: number; rank: number }): boolean {
  return incoming.created > current.created || (incoming.created === current.created && incoming.rank >= current.rank);
}
