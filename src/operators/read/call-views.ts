/**
 * What the operator API, console and CLI show of a call: a summary row for lists and a
 * detail page, made from the call's timeline (history + step log, with what Stripe reported
 * since: refunds settling or failing, disputes) and its payment ledger (workflow results).
 */
import type { CallState } from '../../contract/call.js';
import { PaycallAmount, PaycallFailureStep, PaycallOrderId, PaycallOutcome, PaycallStage } from '../../contract/search-attributes.js';
import { formatMoney } from '../../money/format.js';
import { scrubText } from '../../privacy/redact.js';
import type { DisputeSummary, Timeline } from '../timeline/index.js';
import type { RefundRecord } from './payment-ledger.js';
import type { ExecutionInfo } from './temporal-reader.js';

/** A refund as the API shows it: a RefundRecord, or as much of one as a refund request knows yet. */
export type RefundView = Pick<RefundRecord, 'workflowId' | 'status'> & Partial<Omit<RefundRecord, 'workflowId' | 'status' | 'runId'>> & { amountText?: string };

export interface CallSummary {
  workflowId: string;
  runId: string;
  callSid: string;
  /** The workflow's status: running, completed, failed, terminated, … */
  status: string;
  startedAt: string;
  closedAt?: string;
  stage?: string;
  /** The outcome an operator should see: the call's, or `refunded` after an operator refund. */
  outcome?: string;
  /** What the call workflow itself returned (before any operator refund). */
  callOutcome?: string;
  failureStep?: string;
  failureCode?: string;
  orderId?: string;
  amount?: number;
  currency?: string;
  amountText?: string;
  paymentIntentId?: string;
  refundedAmount?: number;
  refundedText?: string;
  /** Disputes (chargebacks) Stripe reported, with their status and reason. */
  disputes?: DisputeSummary[];
  /** One line for lists: "disputed: needs response (fraudulent)". */
  disputeText?: string;
  whereFailed: string;
  temporalUiUrl?: string;
}

export interface CallDetail extends CallSummary {
  confirmationCode?: string;
  captureAttempts?: number;
  timeline: Timeline;
  refunds: RefundView[];
  /** Running calls only; null with a reason when no worker answered. */
  state: CallState | null;
  stateUnavailable?: string;
  /** Running calls: activities in flight, with Temporal's retry attempt and last error. */
  pendingActivities: { type: string; attempt: number; lastFailure?: string }[];
  /** What an operator may still refund, when the call was paid. */
  refundable?: { amount: number; amountText: string; currency: string; currencyExponent: number };
}

export function refundViewOf(record: RefundRecord): RefundView {
  const { runId: _runId, ...view } = record;
  return { ...view, ...(record.amount !== undefined ? { amountText: formatMoney(record.amount, record.currency) } : {}) };
}

export function summaryOf(info: ExecutionInfo, timeline: Timeline, temporalUiUrl: string | undefined): CallSummary {
  const sa = info.typedSearchAttributes;
  const currency = timeline.currency;
  const amount = timeline.amount ?? sa.get(PaycallAmount);
  const callOutcome = timeline.outcome?.outcome ?? sa.get(PaycallOutcome);
  const refundedAmount = timeline.refundedAmount;
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    callSid: timeline.callSid ?? info.workflowId.replace(/^call-/, ''),
    status: statusName(info),
    startedAt: info.startTime.toISOString(),
    ...(info.closeTime ? { closedAt: info.closeTime.toISOString() } : {}),
    ...optional('stage', sa.get(PaycallStage)),
    ...optional('outcome', timeline.effectiveOutcome ?? callOutcome),
    ...optional('callOutcome', callOutcome),
    ...optional('failureStep', timeline.outcome?.failure?.step ?? sa.get(PaycallFailureStep)),
    ...optional('failureCode', timeline.outcome?.failure?.code),
    ...optional('orderId', timeline.orderId ?? sa.get(PaycallOrderId)),
    ...optional('amount', amount),
    ...optional('currency', currency),
    ...(amount !== undefined ? { amountText: formatMoney(amount, currency) } : {}),
    ...optional('paymentIntentId', timeline.paymentIntentId),
    ...(refundedAmount ? { refundedAmount, refundedText: formatMoney(refundedAmount, currency) } : {}),
    ...(timeline.disputes?.length ? { disputes: timeline.disputes, disputeText: disputeTextOf(timeline.disputes) } : {}),
    whereFailed: timeline.whereFailed,
    ...optional('temporalUiUrl', temporalUiUrl),
  };
}

/** The latest dispute, in a few words: "disputed: needs response (fraudulent)", "dispute lost (fraudulent)". */
export function disputeTextOf(disputes: DisputeSummary[]): string {
  const d = disputes.at(-1)!;
  const status = d.status.replace(/_/g, ' ');
  const reason = d.reason.replace(/_/g, ' ');
  return `${d.open ? `disputed: ${status}` : `dispute ${status}`} (${reason})${disputes.length > 1 ? ` · ${disputes.length} disputes` : ''}`;
}

export function pendingActivitiesOf(info: ExecutionInfo): CallDetail['pendingActivities'] {
  const raw = info.raw as { pendingActivities?: { activityType?: { name?: string | null } | null; attempt?: number | null; lastFailure?: { message?: string | null } | null }[] | null } | undefined;
  return (raw?.pendingActivities ?? []).map((a) => ({
    type: a.activityType?.name ?? 'activity',
    attempt: a.attempt ?? 1,
    ...(a.lastFailure?.message ? { lastFailure: scrubText(a.lastFailure.message) } : {}),
  }));
}

export function statusName(info: ExecutionInfo): string {
  return info.status.name.toLowerCase().replace(/_/g, '-').replace('cancelled', 'canceled');
}

function optional<K extends string, V>(key: K, value: V | undefined | null): { [P in K]?: V } {
  return (value === undefined || value === null || value === '' ? {} : { [key]: value }) as { [P in K]?: V };
}
