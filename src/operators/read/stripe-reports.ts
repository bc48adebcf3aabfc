/**
 * What Stripe reported after the call, for the operator tools: the state of each
 * PaymentIntent's payment events workflow (src/workflows/payment-events-workflow.ts), read
 * from its memo (no worker needed), every run of it merged, and the refund outcomes it
 * settles: a refund the refund workflow left `pending` becomes `refunded` once Stripe says it
 * succeeded, and any refund becomes `failed` when Stripe says it failed.
 */
import { callWorkflowType } from '../../contract/call.js';
import {
  disputeStatusRank,
  paymentEventsWorkflowType,
  refundStatusRank,
  supersedes,
  type PaymentEventsMemo,
  type PaymentEventsState,
  type RefundAtStripe,
} from '../../contract/payment-events.js';
import type { RefundOutcome } from '../../contract/refund.js';
import { PaycallOrderId } from '../../contract/search-attributes.js';
import type { ExecutionInfo, TemporalReader } from './temporal-reader.js';

export function paymentEventsMemoOf(info: ExecutionInfo): PaymentEventsMemo | undefined {
  const memo = info.memo as Partial<PaymentEventsMemo> | undefined;
  return memo?.paymentIntentId && memo.state ? (memo as PaymentEventsMemo) : undefined;
}

/** One state per PaymentIntent from the states of its runs, oldest first: each refund and dispute at its latest. */
export function mergeRuns(states: PaymentEventsState[]): PaymentEventsState[] {
  const byIntent = new Map<string, PaymentEventsState>();
  for (const state of states) {
    const merged = byIntent.get(state.paymentIntentId);
    if (!merged) {
      byIntent.set(state.paymentIntentId, structuredClone(state));
      continue;
    }
    merged.callWorkflowId ??= state.callWorkflowId;
    merged.orderId ??= state.orderId;
    merged.charge ??= state.charge;
    if (state.reconciliation) merged.reconciliation = state.reconciliation;
    for (const refund of state.refunds) {
      const i = merged.refunds.findIndex((r) => r.refundId === refund.refundId);
      if (i < 0) merged.refunds.push(refund);
      else if (supersedes({ created: refund.created, rank: refundStatusRank(refund.status) }, { created: merged.refunds[i]!.created, rank: refundStatusRank(merged.refunds[i]!.status) })) merged.refunds[i] = refund;
    }
    for (const dispute of state.disputes) {
      const i = merged.disputes.findIndex((d) => d.disputeId === dispute.disputeId);
      const current = merged.disputes[i];
      if (!current) merged.disputes.push(dispute);
      else if (supersedes({ created: dispute.created, rank: disputeStatusRank(dispute.status) }, { created: current.created, rank: disputeStatusRank(current.status) })) {
        merged.disputes[i] = { ...dispute, openedAt: Math.min(current.openedAt, dispute.openedAt) };
      }
    }
    const seen = new Set(merged.entries.map((e) => `${e.eventId ?? e.at}|${e.kind}|${e.status}`));
    merged.entries.push(...state.entries.filter((e) => !seen.has(`${e.eventId ?? e.at}|${e.kind}|${e.status}`)));
  }
  return [...byIntent.values()];
}

/** The latest Stripe said of refund `refundId`, if any PaymentIntent's events mention it. */
export function refundAtStripe(reports: PaymentEventsState[], refundId: string): RefundAtStripe | undefined {
  for (const state of reports) {
    const found = state.refunds.find((r) => r.refundId === refundId);
    if (found) return found;
  }
  return undefined;
}

/** A refund workflow's outcome with what Stripe reported since: settled, or failed with Stripe's reason. */
export function settleRefundOutcome(outcome: RefundOutcome | undefined, reports: PaymentEventsState[]): RefundOutcome | undefined {
  if (!outcome || (outcome.status !== 'refunded' && outcome.status !== 'pending')) return outcome;
  const stripe = refundAtStripe(reports, outcome.refundId);
  if (!stripe) return outcome;
  const { status: _status, ...base } = outcome;
  if (stripe.status === 'failed' || stripe.status === 'canceled') {
    const failureReason = stripe.failureReason ?? stripe.status;
    return { ...base, status: 'failed', failureReason, message: `Stripe could not complete refund ${outcome.refundId}: ${failureReason}; the money did not go back to the card` };
  }
  if (stripe.status === 'succeeded') return { ...base, status: 'refunded' };
  return outcome;
}

export class StripeReports {
  constructor(private readonly reader: TemporalReader) {}

  /** Each call's PaymentIntents as Stripe reported them (runs merged), found by the calls' order ids. */
  async forCalls(calls: ExecutionInfo[]): Promise<Map<string, PaymentEventsState[]>> {
    const byCall = new Map<string, PaymentEventsState[]>();
    const orderIds = [...new Set(calls.filter((c) => c.type === callWorkflowType).map((c) => c.typedSearchAttributes.get(PaycallOrderId)).filter((o): o is string => Boolean(o)))];
    if (orderIds.length === 0) return byCall;
    const wanted = new Set(calls.map((c) => c.workflowId));
    const query = `WorkflowType = '${paymentEventsWorkflowType}' AND ${PaycallOrderId.name} IN (${orderIds.map((o) => `'${o.replace(/'/g, "''")}'`).join(', ')})`;
    const runs = (await this.reader.all(query)).sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
    const states = new Map<string, PaymentEventsState[]>();
    for (const info of runs) {
      const memo = paymentEventsMemoOf(info);
      if (!memo?.callWorkflowId || !wanted.has(memo.callWorkflowId)) continue;
      states.set(memo.callWorkflowId, [...(states.get(memo.callWorkflowId) ?? []), memo.state]);
    }
    for (const [callId, list] of states) byCall.set(callId, mergeRuns(list));
    return byCall;
  }
}
