/**
 * Folds what Stripe reported after the call into its timeline (src/operators/read/
 * stripe-reports.ts reads it): refunds settling or failing, disputes, and what paycall did
 * about a charge the call never recorded, each as an entry at the time Stripe gives and in
 * the one-line verdict. Also settles a refund workflow's own timeline with Stripe's later
 * word on its refund. Nothing here decides; it says what the records say.
 */
import { isDisputeClosed, paymentEventsWorkflowId, type PaymentEventEntry, type PaymentEventsState } from '../../contract/payment-events.js';
import type { RefundOutcome } from '../../contract/refund.js';
import { formatMoney } from '../../money/format.js';
import { scrubText } from '../../privacy/redact.js';
import { refundOutcomeEntry } from './build.js';
import type { DisputeSummary, Timeline, TimelineEntry } from './types.js';
import { withVerdict } from './verdict.js';

/** Reconciliation decisions an operator should read about (the others are routine). */
const notableDecisions = ['refunded', 'refund-refused', 'needs-review'];

/** A refund workflow's timeline, its outcome replaced by the settled one (Stripe's later word). */
export function settleRefundTimeline(timeline: Timeline, settled: RefundOutcome | undefined): Timeline {
  if (!settled || !timeline.refund || settled.status === timeline.refund.status) return timeline;
  const entries = timeline.entries.map((entry) => {
    if (entry.step !== 'outcome') return entry;
    const { error: _error, refundId: _refundId, failing: _failing, ...rest } = entry;
    return { ...rest, ...refundOutcomeEntry(settled) };
  });
  return withVerdict({ ...timeline, refund: settled, entries });
}

/** The call's timeline with Stripe's reports of its PaymentIntents folded in. */
export function mergeStripeReports(call: Timeline, reports: PaymentEventsState[]): Timeline {
  // A charge the call recorded (every paid call's payment_intent.succeeded) is routine: not on the timeline.
  const added = reports.flatMap((state) => state.entries.filter((e) => e.kind !== 'reconciliation' || notableDecisions.includes(e.status)).map((entry) => stripeEntry(state, entry)));
  const disputes = reports.flatMap(disputesOf);
  const reconciliations = reports.flatMap((state) =>
    state.reconciliation && notableDecisions.includes(state.reconciliation.decision) ? [{ ...state.reconciliation, paymentIntentId: state.paymentIntentId }] : [],
  );
  if (added.length === 0 && disputes.length === 0 && reconciliations.length === 0) return call;

  const sentences: string[] = [];
  const failedRefunds = reports.flatMap((state) => state.refunds.filter((r) => r.status === 'failed' || r.status === 'canceled'));
  for (const r of failedRefunds) {
    sentences.push(`Stripe then failed refund ${r.refundId} of ${formatMoney(r.amount, r.currency)} (${r.failureReason ?? r.status}): the money did not go back to the card.`);
  }
  if (call.outcome?.outcome === 'compensated') {
    const own = [...call.entries].reverse().find((e) => e.step === 'refund' && e.refundId)?.refundId;
    const atStripe = own ? reports.flatMap((s) => s.refunds).find((r) => r.refundId === own) : undefined;
    if (atStripe && atStripe.status !== 'succeeded' && !failedRefunds.includes(atStripe)) sentences.push(`Its refund ${own} is still ${atStripe.status} at Stripe.`);
  }
  for (const d of disputes) sentences.push(disputeSentence(d));
  for (const r of reconciliations) {
    const state = reports.find((s) => s.paymentIntentId === r.paymentIntentId);
    const money = state?.charge ? ` (${formatMoney(state.charge.amount, state.charge.currency)})` : '';
    if (r.decision === 'refunded') sentences.push(`Stripe also charged ${r.paymentIntentId}${money}, which the call never recorded; paycall refunded it${r.refundId ? ` (${r.refundId})` : ''}.`);
    else sentences.push(`Stripe charged ${r.paymentIntentId}${money}, which the call never recorded: ${scrubText(r.reason)}; an operator must decide whether to refund it.`);
  }

  const troubled = failedRefunds.length > 0 && (call.effectiveOutcome === 'paid' || call.effectiveOutcome === 'compensated');
  return {
    ...call,
    entries: [...call.entries, ...added].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt)),
    whereFailed: sentences.length ? [call.whereFailed.replace(/; nothing failed\.$/, '.'), ...sentences].join(' ') : call.whereFailed,
    ...(disputes.length ? { disputes } : {}),
    ...(reconciliations.length ? { reconciliations } : {}),
    ...(troubled ? { effectiveOutcome: 'refund-failed' } : {}),
  };
}

function disputesOf(state: PaymentEventsState): DisputeSummary[] {
  return state.disputes.map((d) => ({
    disputeId: d.disputeId,
    paymentIntentId: state.paymentIntentId,
    status: d.status,
    reason: d.reason,
    amount: d.amount,
    currency: d.currency,
    open: !isDisputeClosed(d.status),
    openedAt: iso(d.openedAt),
    ...(d.dueBy !== undefined && !isDisputeClosed(d.status) ? { dueBy: iso(d.dueBy) } : {}),
  }));
}

/** "Disputed by the cardholder's bank (fraudulent, 19.99 USD): needs response by 2026-12-08." */
export function disputeSentence(d: DisputeSummary): string {
  const what = `Disputed by the cardholder's bank (${words(d.reason)}, ${formatMoney(d.amount, d.currency)}, ${d.disputeId})`;
  if (d.status === 'won') return `${what}: won, the funds were reinstated.`;
  if (d.status === 'lost') return `${what}: lost, the amount went back to the cardholder.`;
  if (!d.open) return `${what}: closed (${words(d.status)}).`;
  return `${what}: ${words(d.status)}${d.dueBy ? `, evidence due by ${d.dueBy.slice(0, 10)}` : ''}.`;
}

function stripeEntry(state: PaymentEventsState, e: PaymentEventEntry): TimelineEntry {
  const base = {
    id: `${paymentEventsWorkflowId(state.paymentIntentId)}#${e.eventId ?? `${e.kind}-${e.at}`}`,
    // In paycall's order: when it applied the event (Stripe's whole-second `created` would sort it
    // before the call's own sub-second entries); Stripe's time is kept as reportedAt.
    startedAt: placedAt(e),
    endedAt: placedAt(e),
    ...(e.kind !== 'reconciliation' ? { reportedAt: e.at } : {}),
    paymentIntentId: state.paymentIntentId,
    source: { workflowId: paymentEventsWorkflowId(state.paymentIntentId), eventIds: [] },
    ...(e.eventId ? { stripeEventId: e.eventId } : {}),
  };
  const money = formatMoney(e.amount, e.currency);
  if (e.kind === 'refund') {
    const failed = e.status === 'failed' || e.status === 'canceled';
    const summary =
      e.status === 'succeeded'
        ? `Stripe: refund ${e.refundId} of ${money} succeeded`
        : failed
          ? `Stripe: refund ${e.refundId} of ${money} ${e.status}${e.reason ? `: ${e.reason}` : ''}; the money did not go back to the card`
          : `Stripe: refund ${e.refundId} of ${money} ${words(e.status)}${e.reason ? ` (${e.reason})` : ''}`;
    return {
      ...base,
      step: 'refund',
      title: 'Refund at Stripe',
      status: e.status === 'succeeded' ? 'ok' : failed ? 'failed' : 'info',
      summary,
      ...(e.refundId ? { refundId: e.refundId } : {}),
      ...(failed ? { error: { type: 'RefundFailed', ...(e.reason ? { code: e.reason } : {}), message: `Stripe ${e.status} the refund${e.reason ? `: ${e.reason}` : ''}` } } : {}),
    };
  }
  if (e.kind === 'dispute') {
    const closed = isDisputeClosed(e.status);
    const summary = !closed
      ? `The cardholder's bank disputed ${money} (${words(e.reason ?? 'no reason given')}): ${words(e.status)}${e.dueBy !== undefined ? `, evidence due by ${iso(e.dueBy).slice(0, 10)}` : ''}`
      : `Dispute closed: ${words(e.status)}${e.status === 'lost' ? ', the amount went back to the cardholder' : e.status === 'won' ? ', the funds were reinstated' : ''}`;
    return {
      ...base,
      step: 'dispute',
      title: 'Dispute',
      status: e.status === 'won' ? 'ok' : e.status === 'lost' || /needs_response$/.test(e.status) ? 'failed' : 'info',
      summary: `${summary} (${e.disputeId})`,
      ...(e.disputeId ? { disputeId: e.disputeId } : {}),
    };
  }
  return {
    ...base,
    step: 'charge',
    title: 'Unrecorded charge',
    status: e.status === 'refunded' ? 'info' : 'failed',
    summary: `Stripe charged ${state.paymentIntentId} (${money}) without the call recording it: ${scrubText(e.reason ?? e.status)}`,
    ...(e.refundId ? { refundId: e.refundId } : {}),
  };
}

function placedAt(e: PaymentEventEntry): string {
  return e.receivedAt && Date.parse(e.receivedAt) >= Date.parse(e.at) ? e.receivedAt : e.at;
}

function words(code: string): string {
  return code.replace(/_/g, ' ');
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}
