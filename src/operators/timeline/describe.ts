/**
 * Words for the step log: a title for each step and one line for each recorded attempt,
 * from the facts the workflow wrote (src/contract/steps.ts). Nothing here decides what
 * happened; it only says it.
 */
import type { StepRecord } from '../../contract/steps.js';
import { formatMoney } from '../../money/format.js';
import { scrubText } from '../../privacy/redact.js';
import { describeError } from './history-facts.js';
import type { TimelineError, TimelineStep } from './types.js';

/** Display names of the call's steps (also sent to the console via /api/session). */
export const stepTitles: Record<TimelineStep, string> = {
  call: 'Call',
  greeting: 'Greeting',
  'order-entry': 'Order entry',
  'amount-confirmation': 'Amount confirmation',
  'card-capture': 'Card capture',
  charge: 'Charge',
  'mark-paid': 'Mark order paid',
  receipt: 'Receipt',
  refund: 'Refund',
  confirmation: 'Confirmation',
  'with-operator': 'With an operator',
  done: 'Done',
  outcome: 'Outcome',
  dispute: 'Dispute',
};

/** A step in a sentence: "failed at marking the order paid". */
export const stepLabels: Record<TimelineStep, string> = {
  call: 'the call',
  greeting: 'greeting',
  'order-entry': 'order entry',
  'amount-confirmation': 'amount confirmation',
  'card-capture': 'card capture',
  charge: 'charge',
  'mark-paid': 'marking the order paid',
  receipt: 'receipt',
  refund: 'refund',
  confirmation: 'confirmation',
  'with-operator': 'the call with an operator',
  done: 'done',
  outcome: 'outcome',
  dispute: 'the dispute',
};

export function labelOf(step: string): string {
  return stepLabels[step as TimelineStep] ?? step;
}

/** The error an operator sees for a failed attempt. */
export function errorOfRecord(record: StepRecord): TimelineError | undefined {
  if (record.status !== 'failed') return undefined;
  return {
    ...(record.errorType ? { type: record.errorType } : {}),
    ...(record.code && record.code !== record.errorType ? { code: record.code } : {}),
    ...(record.declineCode ? { declineCode: record.declineCode } : {}),
    message: scrubText(record.message ?? record.code ?? 'failed'),
  };
}

/** One line for a step attempt. `retried` is " (after 3 attempts)"-style text from Temporal's history, or ''. */
export function summaryOf(record: StepRecord, retried = ''): string {
  const common = commonSummary(record);
  if (common) return common;
  switch (record.step) {
    case 'order-entry':
      return orderEntry(record);
    case 'amount-confirmation':
      return amountConfirmation(record);
    case 'card-capture':
      return cardCapture(record);
    case 'charge':
      return charge(record, retried);
    case 'mark-paid':
      return record.status === 'ok' ? `Order ${record.order?.orderId ?? ''} marked paid${retried}` : failedOrRunning(record, retried);
    case 'receipt':
      if (record.status === 'ok') return `Receipt texted to the caller${record.messageSid ? ` (${record.messageSid})` : ''}${retried}`;
      if (record.status === 'info') return `No receipt sent: ${scrubText(record.message ?? 'skipped')}`;
      return failedOrRunning(record, retried);
    case 'refund':
      return refund(record, retried);
    case 'confirmation':
      return 'Confirmation code read to the caller';
    case 'with-operator':
      return withOperator(record);
    default:
      return failedOrRunning(record, retried);
  }
}

/** What any step can end with when the caller or Twilio goes away. */
function commonSummary(record: StepRecord): string | undefined {
  if (record.code === 'not-finished') return 'Not finished';
  if (record.status !== 'failed') return undefined;
  if (record.code === 'caller-hung-up') return record.errorType === '<Pay>' ? 'Caller hung up during <Pay>' : 'Caller hung up';
  if (record.code === 'no-response') return 'No callback from Twilio before the turn timed out';
  return undefined;
}

function orderEntry(record: StepRecord): string {
  const order = record.order;
  if (record.status === 'ok' && order) return `Order ${order.orderId} found: ${formatMoney(order.amount, order.currency)} for ${order.description}`;
  if (record.status === 'running') return record.input ? `Looking up order ${record.input}` : 'Waiting for the order number';
  switch (record.code) {
    case 'no-input':
      return 'Caller entered nothing';
    case 'malformed-order-number':
      return 'Order number contained non-digits';
    case 'card-like-number':
      return 'card-like number entered at order entry (redacted)';
    case 'order-number-too-long':
      return 'Order number too long (not kept)';
    case 'order-not-found':
      return `Order ${record.input ?? ''} not found`;
    case 'order-already-paid':
      return `Order ${record.input ?? ''} is already paid`;
    default:
      return failedOrRunning(record, '');
  }
}

function amountConfirmation(record: StepRecord): string {
  const amount = record.order ? formatMoney(record.order.amount, record.order.currency) : 'the amount';
  const confirmed = `Caller confirmed ${amount} (pressed 1)`;
  if (record.status === 'ok') return `${confirmed}; order ${record.order?.orderId ?? ''} still unpaid`;
  if (record.status === 'running') return record.input === '1' ? confirmed : 'Waiting for the caller to choose';
  switch (record.code) {
    case 'repeat':
      return 'Caller asked to hear the amount again (pressed 2)';
    case 'caller-asked-for-operator':
      return 'Caller asked for an operator (pressed 0)';
    case 'invalid-choice':
      return record.input ? `Caller pressed ${record.input}, which is not a menu choice` : 'Caller keyed more than one digit at the menu (not kept)';
    case 'card-like-number':
      return 'card-like number entered at the menu (redacted)';
    case 'no-input':
      return 'Caller pressed nothing';
    case 'order-already-paid':
      return `${confirmed}; ${scrubText(record.message ?? 'the order was paid meanwhile')}`;
    default:
      return failedOrRunning(record, '');
  }
}

function cardCapture(record: StepRecord): string {
  if (record.via === 'operator') return agentCapture(record);
  if (record.status === 'running') return 'Waiting for the caller to key in a card (<Pay>)';
  if (record.status === 'ok') {
    const card = record.card;
    const postal = card?.postalCode ? `, postal code ${card.postalCode}` : '';
    return `Card captured: ${card?.brand ?? 'card'}${card?.last4 ? ` ending ${card.last4}` : ''}${postal} (${record.paymentMethodId ?? '?'})`;
  }
  const plain = `<Pay> ended with ${record.code}`;
  const detail = record.message && record.message !== plain ? ` (${scrubText(record.message)})` : '';
  return `No card: ${plain}${detail}`;
}

/** A capture an operator ran on the live call: who, each field's tries and re-asks. */
function agentCapture(record: StepRecord): string {
  const by = `operator ${record.operator ?? '?'}`;
  const fields = (record.fields ?? [])
    .filter((f) => f.attempts > 1 || f.reaskedBy || f.errorType)
    .map((f) => `${f.field} asked ${f.attempts}×${f.reaskedBy ? ` (again by ${f.reaskedBy})` : ''}${f.errorType ? `, last ${f.errorType}` : ''}`);
  const detail = fields.length ? `; ${fields.join('; ')}` : '';
  if (record.status === 'running') return `Card capture on the live call, started by ${by}`;
  if (record.status === 'ok') {
    const card = record.card;
    return `Card captured on the live call by ${by}: ${card?.brand ?? 'card'}${card?.last4 ? ` ending ${card.last4}` : ''} (${record.paymentMethodId ?? '?'})${detail}`;
  }
  if (record.code === 'cancelled-by-operator') return `Capture cancelled by ${by}${detail}`;
  if (record.code === 'caller-hung-up') return `Caller hung up during the capture ${by} ran${detail}`;
  return `Capture on the live call (${by}) failed: ${scrubText(record.message ?? record.code ?? '')}${detail}`;
}

function withOperator(record: StepRecord): string {
  const why = record.code === 'caller-asked-for-operator' ? 'the caller asked for one' : record.code ? `after ${record.code}` : '';
  if (record.status === 'running') return `Connected to an operator${why ? ` (${why})` : ''}`;
  switch (record.code) {
    case 'ended-by-operator':
      return `The call was ended by operator ${record.operator ?? '?'}`;
    case 'operator-hung-up':
      return 'The operator hung up; the call ended';
    case 'caller-hung-up':
      return 'The caller hung up while with the operator';
    default:
      return record.status === 'failed' ? `No operator: ${scrubText(record.message ?? record.code ?? '')}` : 'With an operator';
  }
}

function charge(record: StepRecord, retried: string): string {
  const money = formatMoney(record.amount, record.currency);
  if (record.status === 'running') return `Charging ${money}${record.paymentIntentId ? ` on ${record.paymentIntentId} again` : ''}`;
  if (record.status === 'ok') return `Charged ${money}: ${record.paymentIntentId ?? '?'} succeeded${retried}`;
  if (record.errorType === 'StripeMotoNotEnabled') {
    // Not the caller's card: the account's setting. Say what to change.
    return `Charge of ${money} refused by Stripe: MOTO is not enabled for this Stripe account (STRIPE_MOTO=true sends payment_method_options[card][moto]); nothing was charged. Set STRIPE_MOTO=false or ask Stripe to enable MOTO`;
  }
  if (record.errorType === 'CardDeclined') {
    return `Card declined: ${[record.code, record.declineCode].filter(Boolean).join(' / ')}: ${scrubText(record.message ?? '')}`;
  }
  return failedOrRunning(record, retried);
}

function refund(record: StepRecord, retried: string): string {
  if (record.status === 'ok' && (record.code === 'pending' || record.code === 'requires_action')) {
    return `Refund of ${formatMoney(record.amount, record.currency)} accepted by Stripe, pending: ${record.refundId ?? '?'}${retried}`;
  }
  if (record.status === 'ok') return `Refunded ${formatMoney(record.amount, record.currency)}: ${record.refundId ?? '?'} ${record.code ?? 'succeeded'}${retried}`;
  if (record.status === 'failed') {
    return `Refund ${record.errorType === 'RefundRefused' ? 'refused by Stripe' : 'failed'}: ${scrubText(record.message ?? '')}${retried}`;
  }
  return 'In progress';
}

function failedOrRunning(record: StepRecord, retried: string): string {
  if (record.status === 'running') return 'In progress';
  if (record.status === 'ok') return `Done${retried}`;
  return `${stepTitles[record.step]} failed: ${describeError(errorOfRecord(record))}${retried}`;
}
