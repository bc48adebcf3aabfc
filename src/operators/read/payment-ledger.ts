/**
 * The money side of a call, from workflow results only: what the call charged (its
 * outcome), what each of its refund workflows did (their memos and outcomes) and what Stripe
 * reported of those refunds since (the payment events workflows' memos: a pending refund that
 * settled, a refund that failed), and from those, how much an operator may still refund.
 * The refund decision reads this, never the rendered timeline.
 */
import { callWorkflowType, type CallOutcome } from '../../contract/call.js';
import { compensationRequestKey, refundWorkflowType, type RefundMemo, type RefundOutcome } from '../../contract/refund.js';
import { PaycallOrderId } from '../../contract/search-attributes.js';
import type { RefundStatus } from '../../contract/vocabulary.js';
import { currencyExponent } from '../../money/money.js';
import type { PaymentEventsState } from '../../contract/payment-events.js';
import { settleRefundOutcome, StripeReports } from './stripe-reports.js';
import type { ExecutionInfo, TemporalReader } from './temporal-reader.js';

/** One refund workflow of a call, as its memo and outcome tell it. */
export interface RefundRecord {
  workflowId: string;
  runId: string;
  status: RefundStatus;
  requestKey?: string;
  /** The PaymentIntent it refunds (absent on refunds recorded before the memo named it). */
  paymentIntentId?: string;
  /** The call refunded itself (compensation), as opposed to an operator's refund. */
  byCall: boolean;
  requestedAt: string;
  closedAt?: string;
  /** Refunded amount; or, pending or refused, the amount asked for (absent = "the rest"). */
  amount?: number;
  currency?: string;
  refundId?: string;
  code?: string;
  message?: string;
  /** Stripe's reason, when Stripe reported the refund failed after accepting it. */
  failureReason?: string;
  /** Stripe's reason, while Stripe has not settled it. */
  pendingReason?: string;
}

export interface CallLedger {
  outcome?: CallOutcome;
  refunds: RefundRecord[];
  /** What Stripe reported of the call's PaymentIntents. */
  stripe: PaymentEventsState[];
}

export function refundMemo(info: ExecutionInfo): RefundMemo | undefined {
  const memo = info.memo as Partial<RefundMemo> | undefined;
  return memo?.callWorkflowId && memo.paymentIntentId ? (memo as RefundMemo) : undefined;
}

/** A refund record from its workflow's info and what its result said (settled with Stripe's reports: settleRefundOutcome). */
export function refundRecordOf(info: ExecutionInfo, outcome: RefundOutcome | undefined, failure?: string): RefundRecord {
  const memo = refundMemo(info);
  const currency = outcome?.currency ?? memo?.currency;
  const base = {
    workflowId: info.workflowId,
    runId: info.runId,
    ...(memo?.requestKey ? { requestKey: memo.requestKey } : {}),
    ...(memo?.paymentIntentId ? { paymentIntentId: memo.paymentIntentId } : {}),
    byCall: memo?.requestKey === compensationRequestKey,
    requestedAt: info.startTime.toISOString(),
    ...(info.closeTime ? { closedAt: info.closeTime.toISOString() } : {}),
    ...(currency ? { currency } : {}),
  };
  const requested = memo?.requestedAmount !== undefined ? { amount: memo.requestedAmount } : outcome?.status === 'refused' && outcome.amount !== undefined ? { amount: outcome.amount } : {};
  if (outcome?.status === 'refunded') return { ...base, status: 'refunded', amount: outcome.amount, refundId: outcome.refundId };
  if (outcome?.status === 'pending') {
    return { ...base, status: 'pending', amount: outcome.amount, refundId: outcome.refundId, message: `Accepted by Stripe, not settled yet${outcome.pendingReason ? ` (${outcome.pendingReason})` : ''}`, ...(outcome.pendingReason ? { pendingReason: outcome.pendingReason } : {}) };
  }
  if (outcome?.status === 'failed') return { ...base, status: 'failed', amount: outcome.amount, refundId: outcome.refundId, failureReason: outcome.failureReason, message: outcome.message };
  if (outcome?.status === 'refused') return { ...base, status: 'refused', ...requested, code: outcome.code, message: outcome.message };
  if (info.status.name === 'RUNNING') return { ...base, status: 'pending', ...requested };
  return { ...base, status: 'failed', ...requested, ...(failure ? { message: failure } : {}) };
}

/** What an operator may still refund of a paid call: paid, minus refunded, minus what is pending. */
export function refundableOf(outcome: CallOutcome | undefined, refunds: RefundRecord[]): { amount: number; currency: string; currencyExponent: number } | undefined {
  if (outcome?.outcome !== 'paid' || !outcome.paymentIntentId || outcome.amount === undefined || !outcome.currency) return undefined;
  // Only refunds of this payment: a second charge paycall refunded (unrecorded-charge) is another PaymentIntent's.
  refunds = refunds.filter((r) => !r.paymentIntentId || r.paymentIntentId === outcome.paymentIntentId);
  const refunded = refunds.reduce((sum, r) => sum + (r.status === 'refunded' ? (r.amount ?? 0) : 0), 0);
  const pendingAll = refunds.some((r) => r.status === 'pending' && r.amount === undefined);
  const pending = refunds.reduce((sum, r) => sum + (r.status === 'pending' ? (r.amount ?? 0) : 0), 0);
  const amount = pendingAll ? 0 : Math.max(0, outcome.amount - refunded - pending);
  if (amount === 0) return undefined;
  let exponent = 2;
  try {
    exponent = currencyExponent(outcome.currency);
  } catch {
    // an unknown currency: shown in minor units
  }
  return { amount, currency: outcome.currency, currencyExponent: exponent };
}

export class PaymentLedger {
  readonly stripeReports: StripeReports;

  constructor(private readonly reader: TemporalReader) {
    this.stripeReports = new StripeReports(reader);
  }

  /** The call's outcome (closed calls) and its refunds, from results and Stripe's reports. */
  async forCall(call: ExecutionInfo): Promise<CallLedger> {
    const [result, infos, reports] = await Promise.all([this.reader.resultOf<CallOutcome>(call), this.refundInfosFor([call]), this.stripeReports.forCalls([call])]);
    const stripe = reports.get(call.workflowId) ?? [];
    const refunds = await Promise.all(
      (infos.get(call.workflowId) ?? []).map(async (info) => {
        const outcome = await this.reader.resultOf<RefundOutcome>(info);
        return refundRecordOf(info, settleRefundOutcome(outcome.kind === 'result' ? outcome.value : undefined, stripe), outcome.kind === 'failed' ? outcome.message : undefined);
      }),
    );
    return { ...(result.kind === 'result' ? { outcome: result.value } : {}), refunds, stripe };
  }

  /** Refund workflows of these calls, from visibility (by order id, matched on the memo's call id), oldest first. */
  async refundInfosFor(calls: ExecutionInfo[]): Promise<Map<string, ExecutionInfo[]>> {
    const byCall = new Map<string, ExecutionInfo[]>();
    const orderIds = [...new Set(calls.filter((c) => c.type === callWorkflowType).map((c) => c.typedSearchAttributes.get(PaycallOrderId)).filter((o): o is string => Boolean(o)))];
    if (orderIds.length === 0) return byCall;
    const wanted = new Set(calls.map((c) => c.workflowId));
    const query = `WorkflowType = '${refundWorkflowType}' AND ${PaycallOrderId.name} IN (${orderIds.map((o) => `'${o.replace(/'/g, "''")}'`).join(', ')})`;
    for (const info of await this.reader.all(query)) {
      const callId = refundMemo(info)?.callWorkflowId;
      if (!callId || !wanted.has(callId)) continue;
      byCall.set(callId, [...(byCall.get(callId) ?? []), info]);
    }
    for (const list of byCall.values()) list.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
    return byCall;
  }
}
