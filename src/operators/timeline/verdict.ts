/**
 * The one line that answers "where did it fail?", and the mark on the failing entry: from
 * the call's outcome (the workflow's own verdict) and the entries it failed at.
 */
import { formatMoney } from '../../money/format.js';
import { scrubText } from '../../privacy/redact.js';
import { describeError } from './history-facts.js';
import { labelOf } from './describe.js';
import type { Timeline, TimelineEntry } from './types.js';

export function withVerdict(timeline: Timeline): Timeline {
  const result: Timeline = { ...timeline, ...(timeline.outcome ? { effectiveOutcome: timeline.outcome.outcome } : {}) };
  const entries = result.entries;
  const mark = (entry: TimelineEntry | undefined) => {
    if (!entry) return;
    entry.failing = true;
    result.failingEntryId = entry.id;
  };
  const lastFailed = (step?: string) => [...entries].reverse().find((e) => e.status === 'failed' && e.step !== 'outcome' && (!step || e.step === step));
  const money = formatMoney(timeline.amount, timeline.currency);

  if (timeline.workflowType === 'refundWorkflow') {
    const r = timeline.refund;
    if (r?.status === 'refunded') result.whereFailed = `Refunded ${formatMoney(r.amount, r.currency)} on ${r.paymentIntentId} (${r.refundId}); nothing failed.`;
    else if (r?.status === 'pending') {
      result.whereFailed = `Refund of ${formatMoney(r.amount, r.currency)} on ${r.paymentIntentId} accepted by Stripe and still pending (${r.refundId}${r.pendingReason ? `: ${r.pendingReason}` : ''}).`;
    } else if (r?.status === 'failed') {
      mark(entries.find((e) => e.step === 'outcome'));
      result.whereFailed = `Refund ${r.refundId} of ${formatMoney(r.amount, r.currency)} failed at Stripe: ${r.failureReason}; the money did not go back to the card.`;
    } else if (r?.status === 'refused') {
      mark(lastFailed('refund'));
      result.whereFailed = `Refund refused by Stripe: ${r.code}: ${scrubText(r.message)}`;
    } else if (timeline.status === 'running') result.whereFailed = `Refund in progress on ${timeline.paymentIntentId ?? 'the payment'}.`;
    else {
      mark(lastFailed());
      result.whereFailed = `Refund workflow ${timeline.status}: ${lastFailed()?.summary ?? 'see the history'}`;
    }
    return result;
  }

  const o = timeline.outcome;
  const encrypted = timeline.unreadablePayloads
    ? ` (${timeline.unreadablePayloads} payloads are encrypted: set PAYLOAD_ENCRYPTION_KEY to the worker's key to read them)`
    : '';
  if (timeline.status === 'running') {
    const current = timeline.stage ? labelOf(timeline.stage) : 'the start';
    const attempt = [...entries].reverse().find((e) => e.step === timeline.stage)?.attempt;
    const problem = lastFailed();
    result.whereFailed = `In progress: ${current}${attempt && attempt > 1 ? ` (attempt ${attempt})` : ''}${problem ? `; last problem: ${titleOf(problem)}: ${problemOf(problem)}` : '; no problems so far'}${encrypted}.`;
    return result;
  }
  if (!o && encrypted && timeline.status === 'completed') {
    const failed = lastFailed();
    result.whereFailed = `Ended${failed ? `; last failed step ${titleOf(failed)}: ${problemOf(failed)}` : ''}${encrypted}.`;
    return result;
  }
  if (!o) {
    const failed = lastFailed() ?? entries.find((e) => e.step === 'outcome');
    mark(failed);
    result.whereFailed = `The call workflow ${timeline.status}${failed?.error ? `: ${describeError(failed.error)}` : ''}. Its history in the Temporal Web UI has the details.`;
    return result;
  }
  const declinedBefore = entries.filter((e) => e.step === 'charge' && e.status === 'failed').length;
  switch (o.outcome) {
    case 'paid':
      result.whereFailed = `Paid ${money} (${o.paymentIntentId}, confirmation ${o.confirmationCode})${declinedBefore ? ` after ${declinedBefore} declined ${declinedBefore === 1 ? 'card' : 'cards'}` : ''}; nothing failed.`;
      return result;
    case 'compensated': {
      mark(o.failure ? lastFailed(o.failure.step) : undefined);
      const refund = [...entries].reverse().find((e) => e.step === 'refund' && e.status === 'ok');
      result.whereFailed = `Charged ${money} (${o.paymentIntentId}) but ${labelOf(o.failure?.step ?? 'a later step')} failed${o.failure ? ` (${o.failure.code}: ${scrubText(o.failure.message)})` : ''}; the call refunded it${refund?.refundId ? ` (${refund.refundId})` : ''}.`;
      return result;
    }
    case 'abandoned': {
      const step = o.failure?.step ?? 'call';
      mark(lastFailed(step) ?? [...entries].reverse().find((e) => e.title === 'Caller hung up'));
      const attempt = [...entries].reverse().find((e) => e.step === step)?.attempt;
      result.whereFailed = `Caller hung up during ${labelOf(step)}${attempt ? ` (attempt ${attempt})` : ''}; nothing was charged.`;
      return result;
    }
    default: {
      const failure = o.failure;
      const failing = failure ? lastFailed(failure.step) : lastFailed();
      mark(failing);
      if (!failure) {
        result.whereFailed = `Ended ${o.outcome}.`;
        return result;
      }
      const where = `${labelOf(failure.step)}${failing?.attempt ? ` (attempt ${failing.attempt})` : ''}`;
      const stripe = failing?.paymentIntentId ? ` (${failing.paymentIntentId})` : '';
      const verb = o.outcome === 'transferred' ? 'Transferred to an operator at' : o.outcome === 'declined' ? 'Declined at' : 'Failed at';
      const detail =
        failing?.error?.type === 'CardDeclined'
          ? `card declined, ${[failing.error.code, failing.error.declineCode].filter(Boolean).join(' / ')}: ${failing.error.message}`
          : `${failure.code}: ${scrubText(failure.message)}`;
      result.whereFailed = `${verb} ${where}: ${detail}${stripe}.`;
      return result;
    }
  }
}

function titleOf(entry: TimelineEntry): string {
  return `${entry.title}${entry.attempt ? ` #${entry.attempt}` : ''}`;
}

function problemOf(entry: TimelineEntry): string {
  const e = entry.error;
  if (!e) return entry.summary;
  return [e.code, e.declineCode].filter(Boolean).join(' / ') || e.type || e.message;
}
