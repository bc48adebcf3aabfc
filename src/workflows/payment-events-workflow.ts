/**
 * One PaymentIntent's life at Stripe after the call: `payment-events-<PaymentIntent>`, started
 * (or reached) by the Stripe webhook route with signalWithStart, one signal per verified event
 * (src/contract/payment-events.ts). It
 * - applies each Stripe event once (by event id), in whatever order they arrive
 *   (payment-event-state.ts), and keeps the result in its memo for the operator tools;
 * - alerts (reportPaymentAlert) on a failed refund, a dispute, a charge it had to refund;
 * - reconciles `payment_intent.succeeded`: while the call runs it leaves the charge to the
 *   call; once the call has ended without recording it, it refunds it through the one refund
 *   path (refundWorkflow, request key `unrecorded-charge`), or asks a person when it cannot
 *   tell what the caller was told.
 * It ends after a quiet period with nothing pending (longer than Stripe's three days of
 * retries, so a late redelivery still meets the run that applied it); a later event starts a
 * new run, and the operator tools read every run. History stays bounded by continue-as-new.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowFailure,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  log,
  proxyActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { PaymentEventActivities } from '../activities/types.js';
import {
  paymentEventsQuery,
  stripeEventSignal,
  unrecordedChargeRequestKey,
  type PaymentEvent,
  type PaymentEventsInput,
  type PaymentEventsMemo,
  type PaymentEventsState,
  type Reconciliation,
  type ReconciliationDecision,
} from '../contract/payment-events.js';
import { refundMemoOf, refundWorkflowId, type RefundOutcome, type RefundRequest } from '../contract/refund.js';
import { PaycallAmount, PaycallOrderId, PaycallRefundStatus } from '../contract/search-attributes.js';
import type { RefundStatus } from '../contract/vocabulary.js';
import { orderBookActivityOptions, stripeActivityOptions } from './activity-options.js';
import { addEntry, applyPaymentEvent, emptyPaymentEventsState, reconciliationOf, type ReconciliationStep } from './payment-event-state.js';
import { refundWorkflow } from './refund-workflow.js';

const { lookupPaymentIntent } = proxyActivities<PaymentEventActivities>(stripeActivityOptions);
const { readCallRecord, reportPaymentAlert } = proxyActivities<PaymentEventActivities>(orderBookActivityOptions);

/** Nothing pending and no event for this long: the run ends (Stripe retries a delivery for up to three days). */
export const quietPeriodMs = 4 * 24 * 60 * 60 * 1000;
/** How often to look at a call that is still running, then every 10 minutes. */
const callCheckDelaysMs = [5_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000];
/** A call still running after this is stuck: a person decides about its charge. */
const callWaitLimitMs = 24 * 60 * 60 * 1000;
/** Event ids kept for dedupe across continue-as-new (one PaymentIntent sees a handful). */
const maxAppliedEventIds = 500;
const continueAsNewAfterEvents = 2000;

export async function paymentEventsWorkflow(input: PaymentEventsInput): Promise<PaymentEventsState> {
  const state: PaymentEventsState = input.state ?? emptyPaymentEventsState(input.paymentIntentId);
  const appliedIds = [...(input.appliedEventIds ?? [])];
  const applied = new Set(appliedIds);
  const inbox: PaymentEvent[] = [...(input.inbox ?? [])];
  setHandler(stripeEventSignal, (event) => {
    inbox.push(event);
  });
  setHandler(paymentEventsQuery, () => state);

  let lastEventAt = Date.now();
  let memoDirty = input.state === undefined;
  let lookedUp = false;
  let sharedOrderId: string | undefined;
  let sharedRefundStatus: RefundStatus | undefined;
  let callChecks = 0;
  let nextCallCheckAt = state.reconciliation?.decision === 'waiting-for-call' ? Date.now() : undefined;

  for (;;) {
    while (inbox.length > 0) {
      const event = inbox.shift()!;
      if (applied.has(event.eventId) || event.paymentIntentId !== state.paymentIntentId) continue;
      applied.add(event.eventId);
      appliedIds.push(event.eventId);
      if (appliedIds.length > maxAppliedEventIds) applied.delete(appliedIds.shift()!);
      lastEventAt = Date.now();
      const result = applyPaymentEvent(state, event, new Date(Date.now()).toISOString());
      if (result.changed) memoDirty = true;
      if (result.chargeSucceeded && !state.reconciliation) {
        setReconciliation(state, 'waiting-for-call', 'Stripe reported the charge succeeded; the call has not ended yet');
        nextCallCheckAt = Date.now();
      }
      for (const alert of result.alerts) await report(alert);
    }

    // A dispute or a Dashboard refund names only the PaymentIntent: its metadata names the call.
    if (!state.callWorkflowId && !lookedUp) {
      const found = await attempt(() => lookupPaymentIntent(state.paymentIntentId), 'lookupPaymentIntent');
      lookedUp = found !== undefined; // failed: tried again after the next event or wait
      if (found?.callWorkflowId) state.callWorkflowId = found.callWorkflowId;
      if (found?.orderId && !state.orderId) state.orderId = found.orderId;
      if (found?.callWorkflowId || found?.orderId) memoDirty = true;
    }

    if (nextCallCheckAt !== undefined && Date.now() >= nextCallCheckAt) {
      const step = await reconciliationStep(state, callChecks);
      callChecks += 1;
      if (step.action === 'wait') {
        nextCallCheckAt = Date.now() + callCheckDelaysMs[Math.min(callChecks, callCheckDelaysMs.length) - 1]!;
      } else {
        nextCallCheckAt = undefined;
        await reconcile(state, step);
        memoDirty = true;
      }
    }

    // Search attributes for the list views: found by order, and by the refund status operators filter on.
    const refundStatus = refundStatusOf(state);
    if ((state.orderId && state.orderId !== sharedOrderId) || refundStatus !== sharedRefundStatus) {
      upsertSearchAttributes([
        ...(state.orderId ? [{ key: PaycallOrderId, value: state.orderId }] : []),
        ...(refundStatus ? [{ key: PaycallRefundStatus, value: refundStatus }] : []),
      ]);
      sharedOrderId = state.orderId;
      sharedRefundStatus = refundStatus;
    }
    if (memoDirty) {
      upsertMemo({ ...memoOf(state) });
      memoDirty = false;
    }

    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > continueAsNewAfterEvents) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof paymentEventsWorkflow>({ paymentIntentId: state.paymentIntentId, state, appliedEventIds: appliedIds, inbox });
    }

    const waitMs = nextCallCheckAt !== undefined ? nextCallCheckAt - Date.now() : lastEventAt + quietPeriodMs - Date.now();
    if (nextCallCheckAt === undefined && waitMs <= 0 && inbox.length === 0) break;
    await condition(() => inbox.length > 0, Math.max(waitMs, 1));
  }
  await condition(allHandlersFinished);
  return state;
}

/** What to do about the succeeded charge now: wait for the call, or decide. */
async function reconciliationStep(state: PaymentEventsState, checksSoFar: number): Promise<ReconciliationStep> {
  if (!state.callWorkflowId) return reconciliationOf(state.paymentIntentId, undefined);
  const call = await attempt(() => readCallRecord(state.callWorkflowId!), 'readCallRecord');
  if (!call) return { action: 'wait' }; // Temporal unreachable from the worker: look again later
  const step = reconciliationOf(state.paymentIntentId, call);
  const waitingSince = state.reconciliation ? Date.parse(state.reconciliation.at) : Date.now();
  if (step.action === 'wait' && checksSoFar > 0 && Date.now() - waitingSince > callWaitLimitMs) {
    return { action: 'review', reason: 'its call has been running for more than a day' };
  }
  return step;
}

async function reconcile(state: PaymentEventsState, step: Exclude<ReconciliationStep, { action: 'wait' }>): Promise<void> {
  const base = { paymentIntentId: state.paymentIntentId, ...(state.callWorkflowId ? { callWorkflowId: state.callWorkflowId } : {}), ...(state.orderId ? { orderId: state.orderId } : {}) };
  const money = state.charge ? { amount: state.charge.amount, currency: state.charge.currency } : {};
  if (step.action === 'recorded') {
    setReconciliation(state, 'recorded-by-call', step.reason);
    return;
  }
  if (step.action === 'review') {
    setReconciliation(state, 'needs-review', `Not refunded automatically: ${step.reason}`);
    await report({ ...base, ...money, alert: 'unrecorded-charge-needs-review', level: 'error', message: `Stripe charged ${state.paymentIntentId} but ${step.reason}: an operator must decide whether to refund it`, reason: step.reason });
    return;
  }
  const requestKey = unrecordedChargeRequestKey;
  const workflowId = refundWorkflowId(state.paymentIntentId, requestKey);
  const request: RefundRequest = {
    callWorkflowId: state.callWorkflowId!,
    paymentIntentId: state.paymentIntentId,
    orderId: state.orderId ?? '',
    currency: state.charge?.currency ?? '',
    paidAmount: state.charge?.amount ?? 0,
    requestKey,
    reason: step.duplicate ? 'duplicate' : 'requested_by_customer',
    cause: step.cause,
  };
  let outcome: RefundOutcome | undefined;
  try {
    // Like the call's own compensation: it outlives this workflow, and its key is `paycall/<its id>`.
    outcome = await executeChild(refundWorkflow, {
      workflowId,
      args: [request],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      memo: { ...refundMemoOf(request) },
      typedSearchAttributes: [
        ...(state.orderId ? [{ key: PaycallOrderId, value: state.orderId }] : []),
        { key: PaycallAmount, value: request.paidAmount },
        { key: PaycallRefundStatus, value: 'pending' },
      ],
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      setReconciliation(state, 'refunded', `${step.cause}; its refund was already requested (${workflowId})`, { refundWorkflowId: workflowId });
      return;
    }
    const message = err instanceof ChildWorkflowFailure ? (err.cause?.message ?? err.message) : String(err);
    setReconciliation(state, 'needs-review', `The refund of this unrecorded charge did not go through (${message}); ${step.cause}`, { refundWorkflowId: workflowId });
    await report({ ...base, ...money, alert: 'unrecorded-charge-needs-review', level: 'error', message: `Refunding unrecorded charge ${state.paymentIntentId} failed: ${message}`, reason: message });
    return;
  }
  if (outcome.status === 'refused') {
    setReconciliation(state, 'refund-refused', `Stripe refused the refund (${outcome.code}: ${outcome.message}); ${step.cause}`, { refundWorkflowId: workflowId });
    await report({ ...base, ...money, alert: 'unrecorded-charge-refund-refused', level: 'error', message: `Stripe refused to refund unrecorded charge ${state.paymentIntentId}: ${outcome.code}`, reason: outcome.code });
    return;
  }
  const refundId = 'refundId' in outcome ? outcome.refundId : undefined;
  setReconciliation(state, 'refunded', `Refunded: ${step.cause}`, { refundWorkflowId: workflowId, ...(refundId ? { refundId } : {}) });
  await report({ ...base, ...money, alert: 'unrecorded-charge-refunded', level: 'error', message: `Refunded ${state.paymentIntentId}, a charge its call never recorded: ${step.cause}`, ...(refundId ? { refundId } : {}) });
}

function setReconciliation(state: PaymentEventsState, decision: ReconciliationDecision, reason: string, ids: Pick<Reconciliation, 'refundWorkflowId' | 'refundId'> = {}): void {
  const at = new Date(Date.now()).toISOString();
  // Waiting keeps the time it started waiting (the one-day limit counts from there).
  const since = decision === 'waiting-for-call' && state.reconciliation?.decision === 'waiting-for-call' ? state.reconciliation.at : at;
  state.reconciliation = { decision, reason, at: since, ...ids };
  if (decision !== 'waiting-for-call') {
    addEntry(state, {
      at,
      kind: 'reconciliation',
      status: decision,
      reason,
      ...(ids.refundId ? { refundId: ids.refundId } : {}),
      ...(state.charge ? { amount: state.charge.amount, currency: state.charge.currency } : {}),
    });
  }
}

/** The status operators filter on: the worst of this PaymentIntent's refunds at Stripe. */
function refundStatusOf(state: PaymentEventsState): RefundStatus | undefined {
  if (state.refunds.length === 0) return undefined;
  if (state.refunds.some((r) => r.status === 'failed' || r.status === 'canceled')) return 'failed';
  if (state.refunds.some((r) => r.status !== 'succeeded')) return 'pending';
  return 'refunded';
}

function memoOf(state: PaymentEventsState): PaymentEventsMemo {
  return { paymentIntentId: state.paymentIntentId, ...(state.callWorkflowId ? { callWorkflowId: state.callWorkflowId } : {}), state };
}

/** An alert is a log line: one that cannot be written must not stop the record. */
async function report(alert: Parameters<PaymentEventActivities['reportPaymentAlert']>[0]): Promise<void> {
  await attempt(() => reportPaymentAlert(alert), 'reportPaymentAlert');
}

/** Runs an activity whose failure (after its retries) the workflow outlives; undefined when it failed. */
async function attempt<T>(run: () => Promise<T>, name: string): Promise<T | undefined> {
  try {
    return await run();
  } catch (err) {
    const cause = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause.message : String(err);
    log.warn(`${name} failed`, { error: cause });
    return undefined;
  }
}
