/**
 * The call's own refund when a step after a successful charge fails for good (the order
 * cannot be marked paid): the same refund workflow an operator's refund runs, as a child
 * with the request key `compensation`, so there is one refund path and one idempotency-key
 * scheme. Calls that began before this change replay their old path: a refundPayment
 * activity with the key `call-<CallSid>/refund/<PaymentIntent>`.
 */
import {
  CancellationScope,
  ParentClosePolicy,
  executeChild,
  patched,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { CallActivities } from '../activities/types.js';
import type { CallFailure } from '../contract/call.js';
import {
  compensationRequestKey,
  refundIdempotencyKey,
  refundMemoOf,
  refundWorkflowId,
  type RefundOutcome,
  type RefundRequest,
} from '../contract/refund.js';
import { PaycallAmount, PaycallOrderId, PaycallRefundStatus } from '../contract/search-attributes.js';
import type { Order } from '../orders/order-book.js';
import { stripeActivityOptions } from './activity-options.js';
import { failureCodeOf, messageOf } from './activity-failures.js';
import type { CallProgress } from './call-progress.js';
import { refundWorkflow } from './refund-workflow.js';

/** The pre-child path's activity, kept for calls in flight when the change deployed. */
const { refundPayment } = proxyActivities<CallActivities>(stripeActivityOptions);

export const compensationPatch = 'compensation-as-refund-workflow';

/** Refunds the charge in full; returns the refund's failure, or undefined when the money went back. */
export async function compensate(input: { callSid: string; order: Order; paymentIntentId: string; cause: string; progress: CallProgress }): Promise<CallFailure | undefined> {
  const { order, paymentIntentId, progress } = input;
  const childId = refundWorkflowId(paymentIntentId, compensationRequestKey);
  const newPath = patched(compensationPatch);
  const idempotencyKey = newPath ? refundIdempotencyKey(childId) : `call-${input.callSid}/refund/${paymentIntentId}`;
  const entry = progress.begin('refund', { paymentIntentId, amount: order.amount, currency: order.currency, idempotencyKey, ...(newPath ? {} : { activity: 'refundPayment' as const }) });
  try {
    if (!newPath) {
      const refund = await CancellationScope.nonCancellable(() =>
        refundPayment({
          paymentIntentId,
          reason: 'requested_by_customer',
          idempotencyKey,
          metadata: { call_sid: input.callSid, order_id: order.orderId, cause: input.cause },
        }),
      );
      entry.ok({ refundId: refund.refundId, amount: refund.amount, code: refund.status });
      return undefined;
    }
    const request: RefundRequest = {
      callWorkflowId: workflowInfo().workflowId,
      paymentIntentId,
      orderId: order.orderId,
      currency: order.currency,
      paidAmount: order.amount,
      requestKey: compensationRequestKey,
      reason: 'requested_by_customer',
      cause: input.cause,
    };
    // Not cancellable, and it outlives the call if the call is terminated: the money must go back.
    const outcome: RefundOutcome = await CancellationScope.nonCancellable(() =>
      executeChild(refundWorkflow, {
        workflowId: childId,
        args: [request],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        memo: { ...refundMemoOf(request) },
        typedSearchAttributes: [
          { key: PaycallOrderId, value: order.orderId },
          { key: PaycallAmount, value: order.amount },
          { key: PaycallRefundStatus, value: 'pending' },
        ],
      }),
    );
    // Pending at Stripe is accepted: how it settles arrives later as Stripe events (the payment events workflow).
    if (outcome.status === 'refunded' || outcome.status === 'pending') {
      entry.ok({ refundId: outcome.refundId, amount: outcome.amount, code: outcome.steps?.[0]?.code ?? (outcome.status === 'pending' ? 'pending' : 'succeeded') });
      return undefined;
    }
    if (outcome.status === 'failed') return progress.fail(entry, { errorType: 'RefundFailed', code: outcome.failureReason, message: outcome.message });
    return progress.fail(entry, { errorType: 'RefundRefused', code: outcome.code, message: outcome.message });
  } catch (err) {
    return progress.fail(entry, { errorType: failureCodeOf(err), code: failureCodeOf(err), message: messageOf(err) });
  }
}
