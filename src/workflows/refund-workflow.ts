/**
 * An operator's refund of a paid call, as its own workflow (a closed call workflow cannot
 * change, so the refund lives next to it). One workflow per refund request:
 *
 * - id `refund-<PaymentIntent>-<request key>` (refundWorkflowId), where the request key is
 *   the operator's request id, or `full` / `amount-<n>` when none is given; a double click or
 *   a retried request names the same workflow and attaches to it instead of refunding again;
 * - Stripe idempotency key derived from that id (refundIdempotencyKey), never per attempt;
 * - the call's search attributes (order, amount, stage, outcome `refunded`) so operator
 *   searches find it, and a memo naming the call so operator tools merge it into the call.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CallActivities } from '../activities/types.js';
import { PaycallAmount, PaycallFailureStep, PaycallOutcome, PaycallStage } from '../contract/search-attributes.js';
import { failureTypes, nonRetryableFailureTypes } from '../contract/failure-types.js';

export const refundWorkflowType = 'refundWorkflow';

export type RefundReason = 'requested_by_customer' | 'duplicate' | 'fraudulent';

export interface RefundRequest {
  /** The call this refund belongs to (`call-<CallSid>`). */
  callWorkflowId: string;
  paymentIntentId: string;
  orderId: string;
  currency: string;
  /** What the call charged, minor units (for the record). */
  paidAmount: number;
  /** Minor units; omitted = whatever is left to refund on the payment. */
  amount?: number;
  /** Names the request: the operator's request id, or `full` / `amount-<n>`. */
  requestKey: string;
  reason: RefundReason;
}

export type RefundOutcome =
  | { status: 'refunded'; refundId: string; amount: number; currency: string; paymentIntentId: string; callWorkflowId: string }
  | { status: 'refused'; code: string; message: string; currency: string; paymentIntentId: string; callWorkflowId: string; amount?: number };

/** Memo on every refund workflow: lets list views map it back to its call without reading history. */
export interface RefundMemo {
  callWorkflowId: string;
  paymentIntentId: string;
  currency: string;
}

/** `full`, `amount-500`, or an operator's request id: letters, digits, `_` and `-`, 1–64 long. */
export const requestKeyPattern = /^[A-Za-z0-9_-]{1,64}$/;

export function refundRequestKey(input: { requestId?: string; amount?: number }): string {
  if (input.requestId) return input.requestId;
  return input.amount === undefined ? 'full' : `amount-${input.amount}`;
}

export function refundWorkflowId(paymentIntentId: string, requestKey: string): string {
  return `refund-${paymentIntentId}-${requestKey}`;
}

/** The same for every attempt and every run of one refund request. */
export function refundIdempotencyKey(workflowId: string): string {
  return `paycall/${workflowId}`;
}

const { refundPayment } = proxyActivities<CallActivities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    maximumAttempts: 8,
    nonRetryableErrorTypes: nonRetryableFailureTypes,
  },
});

export async function refundWorkflow(request: RefundRequest): Promise<RefundOutcome> {
  const { workflowId } = workflowInfo();
  const base = { paymentIntentId: request.paymentIntentId, callWorkflowId: request.callWorkflowId, currency: request.currency };
  const what = request.amount === undefined ? 'the remaining amount' : `${request.amount} ${request.currency.toUpperCase()} minor units`;
  setCurrentDetails(`**Refund** of ${what} on ${request.paymentIntentId}\n\n**Order:** ${request.orderId} · **Call:** ${request.callWorkflowId}`);
  try {
    const refund = await refundPayment({
      paymentIntentId: request.paymentIntentId,
      ...(request.amount !== undefined ? { amount: request.amount } : {}),
      reason: request.reason,
      idempotencyKey: refundIdempotencyKey(workflowId),
      metadata: { call_workflow_id: request.callWorkflowId, order_id: request.orderId, refund_request: request.requestKey },
    });
    upsertSearchAttributes([
      { key: PaycallStage, value: 'done' },
      { key: PaycallOutcome, value: 'refunded' },
      { key: PaycallAmount, value: refund.amount },
    ]);
    setCurrentDetails(`**Refunded** ${refund.amount} ${request.currency.toUpperCase()} minor units · ${refund.refundId}\n\n**Order:** ${request.orderId} · **Call:** ${request.callWorkflowId}`);
    return { status: 'refunded', refundId: refund.refundId, amount: refund.amount, ...base };
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : undefined;
    const refused = cause instanceof ApplicationFailure && cause.type === failureTypes.refundRefused;
    upsertSearchAttributes([
      { key: PaycallStage, value: 'done' },
      { key: PaycallOutcome, value: refused ? 'refund-refused' : 'refund-failed' },
      { key: PaycallFailureStep, value: 'refund' },
    ]);
    if (!refused) throw err; // retries exhausted: the workflow fails; a new request may run it again (same key)
    const details = cause.details?.[0] as { code?: string } | undefined;
    setCurrentDetails(`**Refund refused** by Stripe: ${cause.message}`);
    return { status: 'refused', code: details?.code ?? 'refund_refused', message: cause.message, ...(request.amount !== undefined ? { amount: request.amount } : {}), ...base };
  }
}
