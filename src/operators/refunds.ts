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
import { callWorkflowType } from '../contract/call.js';
import {
  refundMemoOf,
  refundReasons,
  refundRequestKey,
  refundWorkflowId,
  requestKeyPattern,
  type RefundOutcome,
  type RefundRequest,
} from '../contract/refund.js';
import { PaycallAmount, PaycallOrderId, PaycallRefundStatus } from '../contract/search-attributes.js';
import { formatMoney } from '../money/format.js';
import { refundWorkflow } from '../workflows/refund-workflow.js';
import type { CallQueries } from './read/call-queries.js';
import type { RefundView } from './read/call-views.js';
import { refundableOf } from './read/payment-ledger.js';
import { OperatorError } from './errors.js';

/** A refund says what it refunds: an `amount` in minor units, or `full: true` for everything left. */
export const refundInputSchema = z
  .object({
    amount: z.number().int().positive().max(100_000_000).optional(),
    full: z.literal(true).optional(),
    /** Names this request; send the same one again to retry it safely (the console makes one per confirmation). */
    requestId: z.string().regex(requestKeyPattern, 'letters, digits, _ and -, at most 64').optional(),
    reason: z.enum(refundReasons).default('requested_by_customer'),
  })
  .strict()
  .refine((input) => (input.amount !== undefined) !== (input.full === true), {
    message: 'say what to refund: "amount" (minor units) or "full": true, one of the two',
    path: ['amount'],
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

  /** `operator`: who asked (recorded in the refund's history). */
  async refund(callId: string, rawInput: RefundInput, operator?: string): Promise<RefundResponse> {
    const input = refundInputSchema.parse(rawInput);
    const callWorkflowId = await this.queries.resolveCallWorkflowId(callId);
    const info = await this.queries.describeOrUndefined(callWorkflowId);
    if (!info || info.type !== callWorkflowType) throw new OperatorError('not-found', `No call ${callId}`);
    if (info.status.name === 'RUNNING') throw new OperatorError('call-in-progress', 'This call is still in progress; refund it once it has ended.');
    // The decision reads workflow results only: the call's outcome and its refunds' outcomes.
    const { outcome, refunds } = await this.queries.ledger.forCall(info);
    if (outcome?.outcome !== 'paid' || !outcome.paymentIntentId || outcome.amount === undefined || !outcome.currency || !outcome.orderId) {
      const why =
        outcome?.outcome === 'compensated'
          ? 'the call already refunded this payment itself'
          : outcome
            ? `its outcome is ${outcome.outcome}, so nothing was charged`
            : 'it has no outcome';
      throw new OperatorError('not-refundable', `This call cannot be refunded: ${why}.`);
    }

    const requestKey = refundRequestKey(input);
    const workflowId = refundWorkflowId(outcome.paymentIntentId, requestKey);

    // The same request again (double click, retry): attach to it, whatever is left now.
    const existing = await this.queries.describeOrUndefined(workflowId);
    if (existing && existing.status.name !== 'FAILED' && existing.status.name !== 'TIMED_OUT' && existing.status.name !== 'TERMINATED') {
      return this.answer(this.client.workflow.getHandle(workflowId), callWorkflowId, true);
    }

    const paidText = formatMoney(outcome.amount, outcome.currency);
    const remaining = refundableOf(outcome, refunds)?.amount ?? 0;
    const refunded = refunds.reduce((sum, r) => sum + (r.status === 'refunded' ? (r.amount ?? 0) : 0), 0);
    if (remaining === 0) {
      const pending = refunds.some((r) => r.status === 'pending');
      throw new OperatorError(
        'already-refunded',
        pending
          ? `A refund of this payment is still in progress; wait for it before asking for another.`
          : `Nothing left to refund: ${formatMoney(refunded, outcome.currency)} of ${paidText} has already been refunded.`,
      );
    }
    if (input.amount !== undefined && input.amount > remaining) {
      throw new OperatorError(
        'amount-too-large',
        `A refund of ${formatMoney(input.amount, outcome.currency)} is more than the ${formatMoney(remaining, outcome.currency)} left to refund (paid ${paidText}${refunded ? `, already refunded ${formatMoney(refunded, outcome.currency)}` : ''}).`,
        { remaining, currency: outcome.currency },
      );
    }

    const request: RefundRequest = {
      callWorkflowId,
      paymentIntentId: outcome.paymentIntentId,
      orderId: outcome.orderId,
      currency: outcome.currency,
      paidAmount: outcome.amount,
      ...(input.amount !== undefined ? { amount: input.amount } : {}),
      requestKey,
      reason: input.reason,
      ...(operator ? { requestedBy: operator } : {}),
    };
    let attached = Boolean(existing);
    let handle: WorkflowHandle<typeof refundWorkflow>;
    try {
      handle = await this.client.workflow.start(refundWorkflow, {
        workflowId,
        taskQueue: this.options.taskQueue,
        args: [request],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
        memo: { ...refundMemoOf(request) },
        staticSummary: `Refund ${input.amount !== undefined ? formatMoney(input.amount, outcome.currency) : `the rest of ${paidText}`} · order ${outcome.orderId} · ${callWorkflowId}`,
        typedSearchAttributes: [
          { key: PaycallOrderId, value: outcome.orderId },
          { key: PaycallAmount, value: input.amount ?? remaining },
          { key: PaycallRefundStatus, value: 'pending' },
        ],
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      attached = true; // completed between our look and our start
      handle = this.client.workflow.getHandle(workflowId);
    }
    return this.answer(handle, callWorkflowId, attached);
  }

  /** Waits briefly for the refund's result: refunded, pending at Stripe, refused (422) or still running (pending). */
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
    } else if (outcome?.status === 'pending') {
      // Stripe accepted it and has not settled it: shown pending until refund.updated says how it ended.
      refund = {
        ...base,
        status: 'pending',
        amount: outcome.amount,
        amountText: formatMoney(outcome.amount, outcome.currency),
        currency: outcome.currency,
        refundId: outcome.refundId,
        message: `Accepted by Stripe, not settled yet${outcome.pendingReason ? ` (${outcome.pendingReason})` : ''}`,
        ...(outcome.pendingReason ? { pendingReason: outcome.pendingReason } : {}),
      };
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
