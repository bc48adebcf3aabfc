/**
 * One refund of a call's payment, as its own workflow (a closed call workflow cannot
 * change, so the refund lives next to it): an operator's refund, or the call's own
 * compensation (started by the call as a child). The contract, id and key scheme are in
 * src/contract/refund.ts. It keeps a one-entry step log and its status in the
 * `PaycallRefundStatus` search attribute; it never touches the call's outcome. A refund Stripe
 * accepted but has not settled ends `pending`; how it settles arrives later as Stripe events
 * (the payment events workflow), which the operator tools fold in.
 */
import { ActivityFailure, ApplicationFailure, patched, proxyActivities, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { CallActivities } from '../activities/types.js';
import { failureTypes } from '../contract/failure-types.js';
import { refundIdempotencyKey, type RefundOutcome, type RefundRequest } from '../contract/refund.js';
import { PaycallRefundStatus } from '../contract/search-attributes.js';
import type { StepRecord } from '../contract/steps.js';
import type { RefundStatus } from '../contract/vocabulary.js';
import { stripeActivityOptions } from './activity-options.js';
import { StepLog } from './step-log.js';

const { refundPayment } = proxyActivities<CallActivities>(stripeActivityOptions);

/** Refunds that began before this reported Stripe's `pending` as `refunded`. */
export const reportPendingRefundsPatch = 'refund-reports-stripe-pending';

/** Stripe's refund statuses that mean "accepted, not settled yet". */
const unsettledStatuses = ['pending', 'requires_action'];

export async function refundWorkflow(request: RefundRequest): Promise<RefundOutcome> {
  const { workflowId } = workflowInfo();
  const steps: StepRecord[] = [];
  const base = { paymentIntentId: request.paymentIntentId, callWorkflowId: request.callWorkflowId, currency: request.currency, steps };
  const what = request.amount === undefined ? 'the remaining amount' : `${request.amount} ${request.currency.toUpperCase()} minor units`;
  setCurrentDetails(`**Refund** of ${what} on ${request.paymentIntentId}\n\n**Order:** ${request.orderId} · **Call:** ${request.callWorkflowId}`);
  const idempotencyKey = refundIdempotencyKey(workflowId);
  const entry = new StepLog(steps).begin('refund', {
    activity: 'refundPayment',
    paymentIntentId: request.paymentIntentId,
    currency: request.currency,
    idempotencyKey,
    ...(request.amount !== undefined ? { amount: request.amount } : {}),
    ...(request.requestedBy ? { operator: request.requestedBy } : {}),
  });
  try {
    const refund = await refundPayment({
      paymentIntentId: request.paymentIntentId,
      ...(request.amount !== undefined ? { amount: request.amount } : {}),
      reason: request.reason,
      idempotencyKey,
      metadata: {
        call_workflow_id: request.callWorkflowId,
        order_id: request.orderId,
        refund_request: request.requestKey,
        ...(request.cause ? { cause: request.cause } : {}),
      },
    });
    entry.ok({ refundId: refund.refundId, amount: refund.amount, code: refund.status });
    if (unsettledStatuses.includes(refund.status) && patched(reportPendingRefundsPatch)) {
      setStatus('pending');
      setCurrentDetails(`**Pending at Stripe** ${refund.amount} ${request.currency.toUpperCase()} minor units · ${refund.refundId}\n\n**Order:** ${request.orderId} · **Call:** ${request.callWorkflowId}`);
      return { status: 'pending', refundId: refund.refundId, amount: refund.amount, ...(refund.pendingReason ? { pendingReason: refund.pendingReason } : {}), ...base };
    }
    setStatus('refunded');
    setCurrentDetails(`**Refunded** ${refund.amount} ${request.currency.toUpperCase()} minor units · ${refund.refundId}\n\n**Order:** ${request.orderId} · **Call:** ${request.callWorkflowId}`);
    return { status: 'refunded', refundId: refund.refundId, amount: refund.amount, ...base };
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : undefined;
    const refused = cause instanceof ApplicationFailure && cause.type === failureTypes.refundRefused;
    const message = cause instanceof Error ? cause.message : String(err);
    const code = refused ? ((cause.details?.[0] as { code?: string } | undefined)?.code ?? 'refund_refused') : cause instanceof ApplicationFailure && cause.type ? cause.type : 'refund_failed';
    entry.fail({ errorType: refused ? failureTypes.refundRefused : 'RefundFailed', code, message });
    setStatus(refused ? 'refused' : 'failed');
    if (!refused) throw err; // retries exhausted: the workflow fails; the same request may run it again (same key)
    setCurrentDetails(`**Refund refused** by Stripe: ${message}`);
    return { status: 'refused', code, message, ...(request.amount !== undefined ? { amount: request.amount } : {}), ...base };
  }
}

/** One upsert per refund, as before the status attribute existed (old histories replay the same commands). */
function setStatus(status: RefundStatus): void {
  upsertSearchAttributes([{ key: PaycallRefundStatus, value: status }]);
}
