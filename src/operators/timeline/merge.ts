/**
 * Folds a call's operator refunds into its timeline: their entries in time order, and the
 * call's effective outcome (`refunded` once a refund of a paid call went through). The
 * call's own compensation is already in its step log, so its refund workflow adds nothing.
 * Refund outcomes come settled with what Stripe reported since (settleRefundTimeline): a
 * `pending` one is in progress, a `failed` one did not refund.
 */
import { unrecordedChargeRequestKey } from '../../contract/payment-events.js';
import { compensationRequestKey } from '../../contract/refund.js';
import { formatMoney } from '../../money/format.js';
import { scrubText } from '../../privacy/redact.js';
import type { Timeline } from './types.js';

export function mergeRefunds(call: Timeline, allRefunds: Timeline[]): Timeline {
  // The call's own compensation is in its step log; a charge it never recorded is told by mergeStripeReports.
  const refunds = allRefunds.filter((r) => r.refundRequest?.requestKey !== compensationRequestKey && r.refundRequest?.requestKey !== unrecordedChargeRequestKey);
  if (refunds.length === 0) return call;
  const entries = [...call.entries, ...refunds.flatMap((r) => r.entries.filter((e) => e.step !== 'outcome' || e.status === 'failed'))].sort(
    (a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt),
  );
  const done = refunds.filter((r) => r.refund?.status === 'refunded');
  const refused = refunds.filter((r) => r.refund?.status === 'refused');
  // Running, or accepted by Stripe and not settled yet (a failure Stripe reported later is told by mergeStripeReports).
  const pending = refunds.filter((r) => r.status === 'running' || r.refund?.status === 'pending');
  const refundedAmount = done.reduce((sum, r) => sum + (r.refund?.status === 'refunded' ? r.refund.amount : 0), 0);
  const parts = [call.whereFailed.replace(/; nothing failed\.$/, '.')];
  if (done.length) {
    const ids = done.map((r) => (r.refund?.status === 'refunded' ? r.refund.refundId : '')).join(', ');
    const whole = call.amount !== undefined && refundedAmount >= call.amount;
    parts.push(`Then refunded ${formatMoney(refundedAmount, call.currency)}${whole ? ' in full' : ` of ${formatMoney(call.amount, call.currency)}`} by an operator (${ids}).`);
  }
  if (pending.length) parts.push(`${pending.length === 1 ? 'A refund is' : `${pending.length} refunds are`} in progress.`);
  const lastRefused = refused.at(-1)?.refund;
  if (lastRefused?.status === 'refused') parts.push(`A refund was refused: ${lastRefused.code}: ${scrubText(lastRefused.message)}.`);
  const refundedPaidCall = done.length > 0 && call.outcome?.outcome === 'paid';
  return {
    ...call,
    entries,
    whereFailed: parts.join(' '),
    ...(done.length ? { refundedAmount } : {}),
    ...(refundedPaidCall ? { effectiveOutcome: 'refunded' } : {}),
  };
}
