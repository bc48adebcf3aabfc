/**
 * A call's (or a refund's) timeline: the workflow's step log joined with what only the
 * history knows (when the call started, hang-ups Twilio reported, each activity's Temporal
 * retries, how the workflow closed), then the one-line verdict. The step log comes from the
 * workflow's result, or from the `state` query for a running call; histories without one
 * (recorded before paycall kept it, or a running call no worker answered for) go through
 * the legacy reader.
 */
import type { History } from '@temporalio/common/lib/proto-utils.js';
import { callWorkflowType, terminalCallStatuses, type CallInput, type CallOutcome } from '../../contract/call.js';
import { refundWorkflowType, type RefundOutcome, type RefundRequest } from '../../contract/refund.js';
import type { StepRecord } from '../../contract/steps.js';
import { formatMoney } from '../../money/format.js';
import { scrubText } from '../../privacy/redact.js';
import { errorOfRecord, labelOf, stepTitles, summaryOf } from './describe.js';
import { iso, readHistory, type ActivityFacts, type HistoryFacts } from './history-facts.js';
import { legacySteps, upgradeLegacyOutcome } from './legacy-reader.js';
import type { Timeline, TimelineEntry } from './types.js';
import { withVerdict } from './verdict.js';

export interface BuildOptions {
  workflowId?: string;
  runId?: string;
  /** A running call's step log from the `state` query (closed calls carry theirs in the result). */
  steps?: StepRecord[];
}

export function buildTimeline(history: History, options: BuildOptions = {}): Timeline {
  const facts = readHistory(history, options);
  const isRefund = facts.workflowType === refundWorkflowType;
  const outcome = isRefund ? undefined : upgradeLegacyOutcome(facts.result as CallOutcome | undefined);
  const refund = isRefund ? (facts.result as RefundOutcome | undefined) : undefined;
  const logged = options.steps ?? outcome?.steps ?? refund?.steps;
  const steps = logged ?? legacySteps(history, facts);
  const entries = [...openingEntries(facts), ...stepEntries(steps, facts), ...hangUpEntries(facts, steps), ...outcomeEntries(facts, outcome, refund)];
  const callInput = isRefund ? undefined : (facts.input as CallInput | undefined);
  const refundRequest = isRefund ? (facts.input as RefundRequest | undefined) : undefined;
  const order = [...steps].reverse().find((s) => s.order)?.order;
  const orderId = outcome?.orderId ?? order?.orderId ?? refundRequest?.orderId;
  const amount = outcome?.amount ?? order?.amount ?? refundRequest?.paidAmount;
  const currency = outcome?.currency ?? order?.currency ?? refundRequest?.currency;
  const paymentIntentId = outcome?.paymentIntentId ?? [...steps].reverse().find((s) => s.paymentIntentId)?.paymentIntentId ?? refundRequest?.paymentIntentId;
  const unreadable = facts.reader.unreadable;
  const timeline: Timeline = {
    workflowId: facts.workflowId,
    ...(facts.runId ? { runId: facts.runId } : {}),
    workflowType: facts.workflowType,
    status: facts.status,
    source: logged ? 'step-log' : 'legacy-history',
    ...(facts.startedAt ? { startedAt: iso(facts.startedAt)! } : {}),
    ...(facts.closedAt ? { closedAt: iso(facts.closedAt)! } : {}),
    ...(callInput?.callSid ? { callSid: callInput.callSid } : {}),
    ...(outcome ? { outcome } : {}),
    ...(refund ? { refund } : {}),
    ...(refundRequest ? { refundRequest } : {}),
    ...(facts.status === 'running' && steps.length && !isRefund ? { stage: steps.at(-1)!.step } : {}),
    ...(orderId ? { orderId } : {}),
    ...(amount !== undefined ? { amount } : {}),
    ...(currency ? { currency } : {}),
    ...(paymentIntentId ? { paymentIntentId } : {}),
    ...(unreadable ? { unreadablePayloads: unreadable } : {}),
    entries: sortByTime(entries),
    whereFailed: '',
  };
  return withVerdict(timeline);
}

/** Each step attempt, with its activity's Temporal attempts joined from history (the n-th `chargeCard` entry ran the n-th `chargeCard`). */
function stepEntries(steps: StepRecord[], facts: HistoryFacts): TimelineEntry[] {
  const queues = new Map<string, ActivityFacts[]>();
  for (const activity of facts.activities) queues.set(activity.type, [...(queues.get(activity.type) ?? []), activity]);
  const repeatable = new Set(['order-entry', 'amount-confirmation', 'card-capture', 'charge']);
  return steps.map((record, index) => {
    const activity = record.activity ? queues.get(record.activity)?.shift() : undefined;
    const retried = activity && activity.attempt > 1 ? ` after ${activity.attempt} attempts` : '';
    const error = errorOfRecord(record);
    const startedAt = record.startedAt;
    const endedAt = record.endedAt;
    const refundTitle = record.step === 'refund' && facts.workflowType === refundWorkflowType ? 'Refund (Stripe)' : undefined;
    return {
      id: `${facts.workflowId}#s${index + 1}`,
      step: record.step,
      title: refundTitle ?? stepTitles[record.step],
      ...(repeatable.has(record.step) ? { attempt: record.attempt } : {}),
      status: record.status,
      startedAt,
      ...(endedAt ? { endedAt, durationMs: Math.max(0, Date.parse(endedAt) - Date.parse(startedAt)) } : {}),
      summary: summaryOf(record, retried),
      ...(error ? { error } : {}),
      ...(record.paymentIntentId ? { paymentIntentId: record.paymentIntentId } : {}),
      ...(record.refundId ? { refundId: record.refundId } : {}),
      ...(record.paymentMethodId ? { paymentMethodId: record.paymentMethodId } : {}),
      ...(record.idempotencyKey ? { idempotencyKey: record.idempotencyKey } : {}),
      ...(record.card && (record.card.brand || record.card.last4) ? { card: { ...(record.card.brand ? { brand: record.card.brand } : {}), ...(record.card.last4 ? { last4: record.card.last4 } : {}) } } : {}),
      ...(activity && activity.attempt > 1 ? { activityAttempts: activity.attempt, ...(activity.lastFailure ? { retriedAfter: activity.lastFailure } : {}) } : {}),
      source: { workflowId: facts.workflowId, eventIds: activity?.eventIds ?? [] },
    };
  });
}

/** "Call answered" for a call, "Refund requested" for a refund. */
function openingEntries(facts: HistoryFacts): TimelineEntry[] {
  if (!facts.startedAt) return [];
  const at = iso(facts.startedAt)!;
  const base = { status: 'info' as const, startedAt: at, endedAt: at, id: `${facts.workflowId}#${facts.startEventId}`, source: { workflowId: facts.workflowId, eventIds: [facts.startEventId] } };
  if (facts.workflowType === refundWorkflowType) {
    const request = facts.input as RefundRequest | undefined;
    if (!request) return [];
    const what = request.amount === undefined ? 'the full remaining amount' : formatMoney(request.amount, request.currency);
    const who = request.requestKey === 'compensation' ? `The call asked to refund ${what}` : `${request.requestedBy ? `Operator ${request.requestedBy}` : 'Operator'} asked to refund ${what}`;
    const why = request.cause ? `, because ${request.cause}` : '';
    return [
      {
        ...base,
        step: 'refund',
        title: 'Refund requested',
        summary: `${who} of ${formatMoney(request.paidAmount, request.currency)} paid for order ${request.orderId} (request ${request.requestKey}, ${request.reason.replace(/_/g, ' ')}${why})`,
        paymentIntentId: request.paymentIntentId,
      },
    ];
  }
  if (facts.workflowType !== callWorkflowType) return [];
  const input = facts.input as CallInput | undefined;
  return [{ ...base, step: 'call', title: 'Call answered', summary: `Call ${input?.callSid ?? ''} started${input?.locale ? ` in ${input.locale}` : ''}`.replace('  ', ' ') }];
}

/** Twilio's call-status callbacks that ended the call, and the step the caller was in. */
function hangUpEntries(facts: HistoryFacts, steps: StepRecord[]): TimelineEntry[] {
  return facts.signals
    .filter((s) => s.name === 'callStatus' && (terminalCallStatuses as readonly string[]).includes((s.input as { callStatus?: string } | undefined)?.callStatus ?? ''))
    .map((signal) => {
      const status = (signal.input as { callStatus: string }).callStatus;
      const during = [...steps].reverse().find((s) => Date.parse(s.startedAt) <= signal.at);
      const at = iso(signal.at)!;
      return {
        id: `${facts.workflowId}#${signal.eventId}`,
        step: 'call' as const,
        title: 'Caller hung up',
        status: 'info' as const,
        startedAt: at,
        endedAt: at,
        summary: `Twilio reported the call ${status}${during ? ` during ${labelOf(during.step)}` : ''}`,
        source: { workflowId: facts.workflowId, eventIds: [signal.eventId] },
      };
    });
}

function outcomeEntries(facts: HistoryFacts, outcome: CallOutcome | undefined, refund: RefundOutcome | undefined): TimelineEntry[] {
  if (facts.status === 'running' || !facts.closedAt) return [];
  const at = iso(facts.closedAt)!;
  const entry: TimelineEntry = {
    id: `${facts.workflowId}#${facts.closeEventId}`,
    step: 'outcome',
    title: 'Outcome',
    status: 'info',
    startedAt: at,
    endedAt: at,
    summary: `Workflow ${facts.status}`,
    source: { workflowId: facts.workflowId, eventIds: [facts.closeEventId ?? 0] },
  };
  if (refund) {
    Object.assign(entry, refundOutcomeEntry(refund));
  } else if (outcome) {
    const o = outcome;
    entry.status = o.outcome === 'paid' ? 'ok' : o.outcome === 'compensated' || o.outcome === 'transferred' ? 'info' : 'failed';
    entry.summary = `${o.outcome}${o.failure ? ` at ${labelOf(o.failure.step)}: ${o.failure.code}` : ''}${o.paymentIntentId ? ` · ${o.paymentIntentId}` : ''}${o.confirmationCode ? ` · confirmation ${o.confirmationCode}` : ''}`;
    if (o.paymentIntentId) entry.paymentIntentId = o.paymentIntentId;
  } else if (facts.closeError) {
    entry.status = 'failed';
    entry.error = facts.closeError;
    entry.summary = `Workflow ${facts.status}: ${facts.closeError.message}`;
  }
  return [entry];
}

/** How a refund workflow ended, as its outcome entry says it (with what Stripe reported later, once settled). */
export function refundOutcomeEntry(refund: RefundOutcome): Pick<TimelineEntry, 'status' | 'summary' | 'refundId' | 'error'> {
  const money = 'amount' in refund && refund.amount !== undefined ? formatMoney(refund.amount, refund.currency) : '';
  switch (refund.status) {
    case 'refunded':
      return { status: 'ok', summary: `Refunded ${money} (${refund.refundId})`, refundId: refund.refundId };
    case 'pending':
      return { status: 'info', summary: `Refund of ${money} accepted by Stripe, pending (${refund.refundId}${refund.pendingReason ? `: ${refund.pendingReason}` : ''})`, refundId: refund.refundId };
    case 'failed':
      return { status: 'failed', summary: `Refund of ${money} failed at Stripe: ${refund.failureReason} (${refund.refundId})`, refundId: refund.refundId, error: { type: 'RefundFailed', code: refund.failureReason, message: scrubText(refund.message) } };
    case 'refused':
      return { status: 'failed', summary: `Refund refused: ${refund.code}: ${scrubText(refund.message)}`, error: { type: 'RefundRefused', code: refund.code, message: scrubText(refund.message) } };
  }
}

/** In time order; an entry keeps its place among those of the same instant (the log's order). */
function sortByTime(entries: TimelineEntry[]): TimelineEntry[] {
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => Date.parse(a.entry.startedAt) - Date.parse(b.entry.startedAt) || a.index - b.index)
    .map(({ entry }) => entry);
}
