/**
 * Operator refunds of paid calls. Each request runs refundWorkflow (src/workflows/
 * refund-workflow.ts) under an id derived from the PaymentIntent and the request key, so:
 *
 * - a double click or a retried HTTP request names the same workflow: while it runs, the
 *   start attaches to it (conflict policy USE_EXISTING); once it has completed, the start is
 *   rejected (reuse policy ALLOW_DUPLICATE_FAILED_ONLY) and we return its result: one refund;
 * - a refund workflow that failed (Stripe unreachable through all retries) may be run again
 *   by the same request, with the same Stripe idempotency key, so it still refunds once;
 * - asking for more than is left (paid minus earlier and pending refunds) is refused here
 *   with a clear message, and Stripe refuses it too if two requests race past this check.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { z } from 'zod';
import { PaycallAmount, PaycallOrderId, PaycallStage } from '../contract/search-attributes.js';
import {
  refundRequestKey,
  refundWorkflow,
  refundWorkflowId,
  requestKeyPattern,
  type RefundMemo,
  type RefundOutcome,
  type RefundRequest,
} from '../workflows/refund-workflow.js';
import type { CallQueries, RefundView } from './call-queries.js';
import { OperatorError } from './errors.js';
import { formatMoney } from './timeline.js';

export const refundInputSchema = z.object({
  /** Minor units; omitted = everything that is left. */
  amount: z.number().int().positive().max(100_000_000).optional(),
  /** Names this request; send the same one again to retry it safely (the console makes one per confirmation). */
  requestId: z.string().regex(requestKeyPattern, 'letters, digits, _ and -, at most 64').optional(),
  reason: z.enum(['requested_by_customer', 'duplicate', 'fraudulent']).default('requested_by_customer'),
});
export type RefundInput = z.input<typeof refundInputSchema>;

export interface RefundResponse {
  refund: RefundView;
  /** True when this request attached to a refund already asked for (same workflow id). */
  attached: boolean;
  callWorkflowId: string;
}

export interface RefundServiceOptions {
  taskQueue: string;
  /** How long a request waits for the refund to finish before answering `pending`. */
  waitMs?: number;
}

export class RefundService {
  constructor(
    private readonly client: Client,
    private readonly queries: CallQueries,
    private readonly options: RefundServiceOptions,
  ) {}

  async refund(callId: string, rawInput: RefundInput): Promise<RefundResponse> {
    const input = refundInputSchema.parse(rawInput);
    const call = await this.queries.detail(callId);
    if (call.status === 'running') throw new OperatorError('call-in-progress', 'This call is still in progress; refund it once it has ended.');
    if (call.callOutcome !== 'paid' || !call.paymentIntentId || call.amount === undefined || !call.currency || !call.orderId) {
      const why =
        call.callOutcome === 'refunded'
          ? 'the call already refunded this payment itself'
          : call.callOutcome
            ? `its outcome is ${call.callOutcome}, so nothing was charged`
            : 'it has no outcome';
      throw new OperatorError('not-refundable', `This call cannot be refunded: ${why}.`);
    }

    const requestKey = refundRequestKey(input);
    const workflowId = refundWorkflowId(call.paymentIntentId, requestKey);

    // The same request again (double click, retry): attach to it, whatever is left now.
    const existing = await this.queries.describeOrUndefined(workflowId);
    if (existing && existing.status.name !== 'FAILED' && existing.status.name !== 'TIMED_OUT' && existing.status.name !== 'TERMINATED') {
      return this.answer(this.client.workflow.getHandle(workflowId), call.workflowId, true);
    }

    const paidText = formatMoney(call.amount, call.currency);
    const remaining = call.refundable?.amount ?? 0;
    if (remaining === 0) {
      const pending = call.refunds.some((r) => r.status === 'pending');
      throw new OperatorError(
        'already-refunded',
        pending
          ? `A refund of this payment is still in progress; wait for it before asking for another.`
          : `Nothing left to refund: ${call.refundedText ?? paidText} of ${paidText} has already been refunded.`,
      );
    }
    if (input.amount !== undefined && input.amount > remaining) {
      const refunded = call.refundedAmount ?? 0;
      throw new OperatorError(
        'amount-too-large',
        `A refund of ${formatMoney(input.amount, call.currency)} is more than the ${formatMoney(remaining, call.currency)} left to refund (paid ${paidText}${refunded ? `, already refunded ${formatMoney(refunded, call.currency)}` : ''}).`,
        { remaining, currency: call.currency },
      );
    }

    const request: RefundRequest = {
      callWorkflowId: call.workflowId,
      paymentIntentId: call.paymentIntentId,
      orderId: call.orderId,
      currency: call.currency,
      paidAmount: call.amount,
      ...(input.amount !== undefined ? { amount: input.amount } : {}),
      requestKey,
      reason: input.reason,
    };
    const memo: RefundMemo = { callWorkflowId: call.workflowId, paymentIntentId: call.paymentIntentId, currency: call.currency };
    let attached = Boolean(existing);
    let handle: WorkflowHandle<typeof refundWorkflow>;
    try {
      handle = await this.client.workflow.start(refundWorkflow, {
        workflowId,
        taskQueue: this.options.taskQueue,
        args: [request],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
        memo: { ...memo },
        staticSummary: `Refund ${input.amount !== undefined ? formatMoney(input.amount, call.currency) : `the rest of ${paidText}`} · order ${call.orderId} · ${call.workflowId}`,
        typedSearchAttributes: [
          { key: PaycallStage, value: 'refund' },
          { key: PaycallOrderId, value: call.orderId },
          { key: PaycallAmount, value: input.amount ?? remaining },
        ],
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      attached = true; // completed between our look and our start
      handle = this.client.workflow.getHandle(workflowId);
    }
    return this.answer(handle, call.workflowId, attached);
  }

  /** Waits briefly for the refund's result: refunded, refused (422) or still pending. */
  private async answer(handle: WorkflowHandle, callWorkflowId: string, attached: boolean): Promise<RefundResponse> {
    const waitMs = this.options.waitMs ?? 10_000;
    let outcome: RefundOutcome | undefined;
    let failure: string | undefined;
    try {
      outcome = await this.client.withDeadline(Date.now() + waitMs, () => handle.result() as Promise<RefundOutcome>);
    } catch (err) {
      if (err instanceof WorkflowFailedError) failure = err.cause?.message ?? err.message;
      // otherwise the deadline passed: still pending
    }
    const base = { workflowId: handle.workflowId };
    let refund: RefundView;
    if (outcome?.status === 'refunded') {
      refund = { ...base, status: 'refunded', amount: outcome.amount, amountText: formatMoney(outcome.amount, outcome.currency), currency: outcome.currency, refundId: outcome.refundId };
    } else if (outcome?.status === 'refused') {
      throw new OperatorError('refund-refused', `Stripe refused the refund: ${outcome.message} (${outcome.code})`, {
        refund: { ...base, status: 'refused', code: outcome.code, message: outcome.message, currency: outcome.currency },
        callWorkflowId,
        attached,
      });
    } else if (failure) {
      throw new OperatorError('refund-failed', `The refund did not go through: ${failure}. Asking again with the same request id retries it safely.`, {
        refund: { ...base, status: 'failed', message: failure },
        callWorkflowId,
        attached,
      });
    } else {
      refund = { ...base, status: 'pending' };
    }
    return { refund, attached, callWorkflowId };
  }
}
