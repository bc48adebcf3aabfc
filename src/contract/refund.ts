/**
 * The refund contract: what a refund workflow is asked to do and what it returns. Every
 * refund of a call's payment (an operator's, or the call's own compensation) runs as one
 * refundWorkflow with one id and idempotency-key scheme:
 *
 * - id `refund-<PaymentIntent>-<request key>` (refundWorkflowId); the request key names the
 *   request: an operator's request id, `full` / `amount-<n>` when none is given, or
 *   `compensation` for the call's own refund; a repeat of the same request names the same
 *   workflow, so it refunds once;
 * - Stripe idempotency key `paycall/<workflow id>` (refundIdempotencyKey), the same for every
 *   attempt and every run of one request.
 */
import type { StepRecord } from './steps.js';

export const refundWorkflowType = 'refundWorkflow';

export const refundReasons = ['requested_by_customer', 'duplicate', 'fraudulent'] as const;
export type RefundReason = (typeof refundReasons)[number];

/** The request key of the call's own refund, when a step after the charge failed for good. */
export const compensationRequestKey = 'compensation';

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
  /** Names the request: an operator's request id, `full` / `amount-<n>`, or `compensation`. */
  requestKey: string;
  reason: RefundReason;
  /** Why the call refunded itself (compensation only): the failure code of the step that failed. */
  cause?: string;
  /** The operator who asked for it (operator refunds). */
  requestedBy?: string;
}

interface RefundOutcomeBase {
  currency: string;
  paymentIntentId: string;
  callWorkflowId: string;
  /** The refund's step log (absent in refunds recorded before paycall kept one). */
  steps?: StepRecord[];
}

/**
 * How a refund ended. The workflow returns `refunded` (Stripe says succeeded), `pending`
 * (Stripe accepted it but has not settled it; refunds that began before this was reported
 * said `refunded`) or `refused`. What Stripe reports later (refund.updated, refund.failed:
 * src/contract/payment-events.ts) is folded in by the operator tools (settleRefundOutcome),
 * which turn `pending` into `refunded`, or either into `failed` with Stripe's reason.
 */
export type RefundOutcome =
  | (RefundOutcomeBase & { status: 'refunded'; refundId: string; amount: number })
  | (RefundOutcomeBase & { status: 'pending'; refundId: string; amount: number; pendingReason?: string })
  | (RefundOutcomeBase & { status: 'refused'; code: string; message: string; amount?: number })
  /** Only from the operator tools: Stripe reported the refund failed after accepting it. */
  | (RefundOutcomeBase & { status: 'failed'; refundId: string; amount: number; failureReason: string; message: string });

/** Memo on every refund workflow: list views map it to its call (and its request) without reading history. */
export interface RefundMemo {
  callWorkflowId: string;
  paymentIntentId: string;
  currency: string;
  /** Absent on refunds started before paycall recorded them here. */
  requestKey?: string;
  /** What was asked for, minor units; absent = the rest. */
  requestedAmount?: number;
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

export function refundMemoOf(request: RefundRequest): RefundMemo {
  return {
    callWorkflowId: request.callWorkflowId,
    paymentIntentId: request.paymentIntentId,
    currency: request.currency,
    requestKey: request.requestKey,
    ...(request.amount !== undefined ? { requestedAmount: request.amount } : {}),
  };
}
