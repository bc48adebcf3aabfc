/**
 * The per-PaymentIntent record of what Stripe reported, and what to do about a charge:
 * - applyPaymentEvent folds one event into the state: the latest status of each refund and
 *   dispute, whatever order deliveries arrive in (a later event wins; within one second the
 *   status further along), an entry for each change (the call's timeline) and an alert for
 *   each change an operator must act on;
 * - reconciliationOf decides about a succeeded charge once its call has ended.
 * Pure (no Temporal calls): paymentEventsWorkflow runs it, unit tests run it directly.
 */
import {
  disputeStatusRank,
  isDisputeClosed,
  refundStatusRank,
  supersedes,
  type CallRecord,
  type DisputeAtStripe,
  type PaymentAlert,
  type PaymentEvent,
  type PaymentEventEntry,
  type PaymentEventsState,
  type RefundAtStripe,
} from '../contract/payment-events.js';

/** Kept in the state (and memo) for the timeline; older ones drop off. */
export const maxEntries = 100;

export interface ApplyResult {
  /** The state changed (its memo needs writing). */
  changed: boolean;
  alerts: PaymentAlert[];
  /** This event reported the charge succeeded for the first time: reconcile it with the call. */
  chargeSucceeded: boolean;
}

export function emptyPaymentEventsState(paymentIntentId: string): PaymentEventsState {
  return { paymentIntentId, refunds: [], disputes: [], entries: [] };
}

export function isoOfSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/**
 * Folds `event` into `state` (in place). The caller dedupes by event id; applying an old status
 * again changes nothing. `receivedAt` (ISO 8601, workflow time) goes on the entries it adds.
 */
export function applyPaymentEvent(state: PaymentEventsState, event: PaymentEvent, receivedAt?: string): ApplyResult {
  const result: ApplyResult = { changed: false, alerts: [], chargeSucceeded: false };
  if (event.callWorkflowId && !state.callWorkflowId) {
    state.callWorkflowId = event.callWorkflowId;
    result.changed = true;
  }
  if (event.orderId && !state.orderId) {
    state.orderId = event.orderId;
    result.changed = true;
  }
  switch (event.kind) {
    case 'charge-succeeded':
      if (!state.charge) {
        state.charge = { amount: event.amount, currency: event.currency, created: event.created, eventId: event.eventId };
        result.changed = true;
        result.chargeSucceeded = true;
      }
      break;
    case 'refund':
      applyRefund(state, event, result, receivedAt);
      break;
    case 'dispute':
      applyDispute(state, event, result, receivedAt);
      break;
  }
  return result;
}

function applyRefund(state: PaymentEventsState, event: Extract<PaymentEvent, { kind: 'refund' }>, result: ApplyResult, receivedAt: string | undefined): void {
  const facts = event.refund;
  const index = state.refunds.findIndex((r) => r.refundId === facts.refundId);
  const current = index >= 0 ? state.refunds[index] : undefined;
  if (current && !supersedes({ created: event.created, rank: refundStatusRank(facts.status) }, { created: current.created, rank: refundStatusRank(current.status) })) return;
  const next: RefundAtStripe = { ...defined(facts), created: event.created, eventId: event.eventId };
  if (current && sameFacts(current, next)) return;
  if (current) state.refunds[index] = next;
  else state.refunds.push(next);
  result.changed = true;
  if (current?.status === next.status) return;
  const reason = next.failureReason ?? next.pendingReason;
  addEntry(state, {
    at: isoOfSeconds(event.created),
    ...(receivedAt ? { receivedAt } : {}),
    eventId: event.eventId,
    kind: 'refund',
    status: next.status,
    refundId: next.refundId,
    amount: next.amount,
    currency: next.currency,
    ...(reason ? { reason } : {}),
  });
  if (next.status === 'failed' || next.status === 'canceled') {
    result.alerts.push({
      ...alertBase(state, event),
      alert: 'refund-failed',
      level: 'error',
      message: `Stripe ${next.status === 'failed' ? 'failed' : 'canceled'} refund ${next.refundId} of ${next.amount} ${next.currency} minor units${reason ? `: ${reason}` : ''}; the money did not go back to the card`,
      refundId: next.refundId,
      status: next.status,
      ...(reason ? { reason } : {}),
      amount: next.amount,
      currency: next.currency,
    });
  }
}

function applyDispute(state: PaymentEventsState, event: Extract<PaymentEvent, { kind: 'dispute' }>, result: ApplyResult, receivedAt: string | undefined): void {
  const facts = event.dispute;
  const index = state.disputes.findIndex((d) => d.disputeId === facts.disputeId);
  const current = index >= 0 ? state.disputes[index] : undefined;
  const openedAt = Math.min(current?.openedAt ?? event.created, event.created);
  if (current && !supersedes({ created: event.created, rank: disputeStatusRank(facts.status) }, { created: current.created, rank: disputeStatusRank(current.status) })) {
    // An older delivery can still tell when the dispute was opened.
    if (openedAt !== current.openedAt) {
      current.openedAt = openedAt;
      result.changed = true;
    }
    return;
  }
  const next: DisputeAtStripe = { ...defined(facts), openedAt, created: event.created, eventId: event.eventId };
  if (current && sameFacts(current, next)) return;
  if (current) state.disputes[index] = next;
  else state.disputes.push(next);
  result.changed = true;
  if (current?.status === next.status) return;
  addEntry(state, {
    at: isoOfSeconds(event.created),
    ...(receivedAt ? { receivedAt } : {}),
    eventId: event.eventId,
    kind: 'dispute',
    status: next.status,
    disputeId: next.disputeId,
    amount: next.amount,
    currency: next.currency,
    reason: next.reason,
    ...(next.dueBy !== undefined ? { dueBy: next.dueBy } : {}),
  });
  const facts4alert = { disputeId: next.disputeId, status: next.status, reason: next.reason, amount: next.amount, currency: next.currency };
  if (!current) {
    result.alerts.push({
      ...alertBase(state, event),
      ...facts4alert,
      alert: 'dispute-opened',
      level: 'error',
      message: `The cardholder's bank disputed ${next.amount} ${next.currency} minor units (${next.reason}); dispute ${next.disputeId} is ${next.status}${next.dueBy !== undefined && !isDisputeClosed(next.status) ? `, evidence due by ${isoOfSeconds(next.dueBy)}` : ''}`,
    });
  } else if (isDisputeClosed(next.status)) {
    result.alerts.push({ ...alertBase(state, event), ...facts4alert, alert: 'dispute-closed', level: 'warn', message: `Dispute ${next.disputeId} closed: ${next.status}` });
  }
}

function alertBase(state: PaymentEventsState, event: PaymentEvent): Pick<PaymentAlert, 'paymentIntentId' | 'callWorkflowId' | 'orderId' | 'eventId'> {
  return {
    paymentIntentId: state.paymentIntentId,
    ...(state.callWorkflowId ? { callWorkflowId: state.callWorkflowId } : {}),
    ...(state.orderId ? { orderId: state.orderId } : {}),
    eventId: event.eventId,
  };
}

export function addEntry(state: PaymentEventsState, entry: PaymentEventEntry): void {
  state.entries.push(entry);
  if (state.entries.length > maxEntries) state.entries.splice(0, state.entries.length - maxEntries);
}

/** The same facts apart from which event reported them. */
function sameFacts<T extends { eventId: string; created: number }>(a: T, b: T): boolean {
  const strip = ({ eventId: _e, created: _c, ...rest }: T) => rest;
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

/** Without the keys whose value is undefined (the state is compared and stored as JSON). */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export type ReconciliationStep =
  | { action: 'wait' }
  | { action: 'recorded'; reason: string }
  | { action: 'review'; reason: string }
  /** Refund it: `cause` goes into the refund request; `duplicate` when the call was paid with another PaymentIntent. */
  | { action: 'refund'; cause: string; duplicate: boolean };

/**
 * What to do about `paymentIntentId`, which Stripe says succeeded, given its call. Money
 * first: a call that ended without this charge told its caller the payment did not go through
 * (or was paid with another PaymentIntent), so the charge goes back. When paycall cannot tell
 * what the caller was told, a person decides.
 */
export function reconciliationOf(paymentIntentId: string, call: CallRecord | undefined): ReconciliationStep {
  if (!call) return { action: 'review', reason: 'the PaymentIntent names no paycall call' };
  if (call.state === 'running') return { action: 'wait' };
  if (call.state === 'not-found') return { action: 'review', reason: 'its call workflow was not found (never started, or past retention)' };
  const outcome = call.outcome;
  if (!outcome) return { action: 'review', reason: `its call workflow ${call.status} without an outcome, so what the caller was told is unknown` };
  const recorded = outcome.chargedIntentIds.includes(paymentIntentId) || (outcome.paymentIntentId === paymentIntentId && ['paid', 'compensated'].includes(outcome.outcome));
  if (recorded) return { action: 'recorded', reason: `the call recorded it (outcome ${outcome.outcome})` };
  const other = outcome.outcome === 'paid' && outcome.paymentIntentId && outcome.paymentIntentId !== paymentIntentId ? outcome.paymentIntentId : undefined;
  return {
    action: 'refund',
    cause: other
      ? `the call was paid with ${other} and never recorded ${paymentIntentId}: a second charge`
      : `the call ended ${outcome.outcome} without recording ${paymentIntentId} as paid, so the caller was told the payment did not go through`,
    duplicate: Boolean(other),
  };
}
