/**
 * A call's workflow history, told in business terms: order entry, amount confirmation,
 * each card capture and each charge attempt, marking paid, receipt, refund, with times,
 * attempts, error codes and Stripe ids, plus a one-line answer to "where did it fail?".
 *
 * Works on any history: a running call's (partial), a closed one's, or one loaded from a
 * JSON file (`historyFromJSON`). Reads only what it names: never a phone number, never the
 * caller's input beyond order digits and menu choices, never a stack trace. Refund
 * workflows (src/workflows/refund-workflow.ts) get a timeline too, and `mergeRefunds`
 * folds them into their call's.
 */
import { defaultPayloadConverter, type PayloadCodec } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import type { CardDeclinedDetails, ChargeCardInput, ChargeCardResult, ReceiptResult, RefundInput, RefundResult } from '../activities/types.js';
import { terminalCallStatuses, type CallerEvent, type CallInput, type CallOutcome, type CallStep } from '../contract/call.js';
import { toDecimalString } from '../money/money.js';
import type { Order } from '../orders/order-book.js';
import type { RefundOutcome, RefundRequest } from '../workflows/refund-workflow.js';

export type HistoryEvent = NonNullable<History['events']>[number];
type Payloads = { payloads?: Payload[] | null } | null | undefined;
type Payload = NonNullable<NonNullable<HistoryEvent['workflowExecutionStartedEventAttributes']>['input']>['payloads'] extends (infer P)[] | null | undefined ? P : never;
type ProtoFailure = NonNullable<NonNullable<HistoryEvent['activityTaskFailedEventAttributes']>['failure']>;

export type TimelineStep = CallStep | 'call' | 'outcome';
export type EntryStatus = 'ok' | 'failed' | 'running' | 'info';

export interface TimelineError {
  /** The failure type (`CardDeclined`, `OrderNotPayable`, …) or `<Pay>` result. */
  type?: string;
  /** Stripe's `code` or paycall's failure code. */
  code?: string;
  /** Stripe's `decline_code`, for card declines. */
  declineCode?: string;
  message: string;
}

export interface TimelineEntry {
  /** Stable key: `<workflow id>#<first event id>`. */
  id: string;
  step: TimelineStep;
  /** Human title: "Charge", "Card capture", "Order entry", … */
  title: string;
  /** Which try of this step (card capture 2 → charge 2). */
  attempt?: number;
  status: EntryStatus;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  /** One line in business terms. */
  summary: string;
  error?: TimelineError;
  paymentIntentId?: string;
  refundId?: string;
  paymentMethodId?: string;
  idempotencyKey?: string;
  card?: { brand?: string; last4?: string };
  /** Temporal's attempt count when an activity was retried (transient failures). */
  activityAttempts?: number;
  /** The last transient failure before the final attempt. */
  retriedAfter?: string;
  /** This is where the call failed. */
  failing?: boolean;
  /** Which workflow and history events this entry was read from. */
  source: { workflowId: string; eventIds: number[] };
}

export type ExecutionStatus = 'running' | 'completed' | 'failed' | 'terminated' | 'canceled' | 'timed-out' | 'continued-as-new';

export interface Timeline {
  workflowId: string;
  runId?: string;
  workflowType: string;
  status: ExecutionStatus;
  startedAt?: string;
  closedAt?: string;
  callSid?: string;
  /** The call's outcome (call workflows, once closed). */
  outcome?: CallOutcome;
  /** The refund's outcome (refund workflows, once closed). */
  refund?: RefundOutcome;
  /** A refund workflow's request. */
  refundRequest?: RefundRequest;
  /** Current step of a running call (from its last stage change). */
  stage?: string;
  orderId?: string;
  amount?: number;
  currency?: string;
  paymentIntentId?: string;
  /** What an operator should see: the call's outcome, or `refunded` once an operator refund went through. */
  effectiveOutcome?: string;
  /** How many payloads could not be read: encrypted, and no PAYLOAD_ENCRYPTION_KEY to decrypt them. */
  unreadablePayloads?: number;
  /** Total of operator refunds that went through (mergeRefunds). */
  refundedAmount?: number;
  entries: TimelineEntry[];
  /** One line: where (and why) the payment failed, or what happened instead. */
  whereFailed: string;
  failingEntryId?: string;
}

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
  done: 'Done',
  outcome: 'Outcome',
};

const stepLabels: Record<string, string> = {
  'order-entry': 'order entry',
  'amount-confirmation': 'amount confirmation',
  'card-capture': 'card capture',
  charge: 'charge',
  'mark-paid': 'marking the order paid',
  receipt: 'receipt',
  refund: 'refund',
  confirmation: 'confirmation',
  greeting: 'greeting',
};

/** `1999, usd` → `19.99 USD`, `12000, jpy` → `12,000 JPY` (minor units for a currency paycall does not know). */
export function formatMoney(amount: number | undefined, currency: string | undefined): string {
  if (amount === undefined) return '?';
  if (!currency) return `${amount} (minor units)`;
  try {
    const [whole = '', fraction] = toDecimalString(amount, currency).split('.');
    const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    return `${grouped}${fraction !== undefined ? `.${fraction}` : ''} ${currency.toUpperCase()}`;
  } catch {
    return `${amount} ${currency.toUpperCase()} (minor units)`;
  }
}

/** Removes what must never reach an operator screen from free text: card-length digit runs, phone numbers. */
export function scrubText(text: string): string {
  return text
    .replace(/\b\d(?:[ -]?\d){11,18}\b/g, '[number removed]')
    .replace(/\+\d{7,15}\b/g, (phone) => maskPhone(phone));
}

/** `+15005550006` → `+•••••••0006`. */
export function maskPhone(phone: string): string {
  return phone.length <= 4 ? '••••' : `${phone.startsWith('+') ? '+' : ''}${'•'.repeat(Math.max(phone.length - 5, 3))}${phone.slice(-4)}`;
}

/** Payloads the current build could not read (encrypted without the key); builds are synchronous. */
let unreadablePayloads = 0;

function decode<T>(payloads: Payloads, index = 0): T | undefined {
  const payload = payloads?.payloads?.[index];
  if (!payload) return undefined;
  try {
    return defaultPayloadConverter.fromPayload<T>(payload);
  } catch {
    unreadablePayloads++; // encrypted or binary payload: nothing to show
    return undefined;
  }
}

function eventId(event: HistoryEvent): number {
  return Number(String(event.eventId ?? 0));
}

/** Milliseconds; `seconds` is a Long from the server and a number from historyFromJSON. */
function eventTime(event: HistoryEvent): number {
  const ts = event.eventTime;
  if (!ts) return 0;
  return Number(String(ts.seconds ?? 0)) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined || ms === 0 ? undefined : new Date(ms).toISOString();
}

function errorOf(failure: ProtoFailure | null | undefined): TimelineError {
  if (!failure) return { message: 'unknown failure' };
  const info = failure.applicationFailureInfo;
  const details = decode<Partial<CardDeclinedDetails> & { code?: string }>(info?.details);
  const timeout = failure.timeoutFailureInfo ? 'timeout' : undefined;
  return {
    ...(info?.type ? { type: info.type } : timeout ? { type: 'Timeout' } : {}),
    ...(details?.code ? { code: details.code } : {}),
    ...(details?.declineCode ? { declineCode: details.declineCode } : {}),
    message: scrubText(failure.message || failure.cause?.message || 'failed'),
  };
}

function describeError(error: TimelineError | undefined): string {
  if (!error) return '';
  const code = [error.code, error.declineCode].filter(Boolean).join(' / ');
  return `${error.type ?? 'error'}${code ? ` (${code})` : ''}: ${error.message}`;
}

interface PendingActivity {
  type: string;
  input: unknown;
  scheduledAt: number;
  eventIds: number[];
  entry: TimelineEntry;
  attempt?: number;
  lastFailure?: string;
}

/**
 * Runs every payload list in a history through the payload codecs (decrypts what
 * src/temporal/encryption-codec.ts encrypted), in place. Search attributes are never encoded.
 */
export async function decodeHistoryPayloads(history: History, codecs: readonly PayloadCodec[]): Promise<History> {
  if (codecs.length === 0) return history;
  const containers: { payloads: Payload[] }[] = [];
  const walk = (value: unknown): void => {
    if (!value || typeof value !== 'object' || value instanceof Uint8Array) return;
    if (Array.isArray(value)) return value.forEach(walk);
    const record = value as Record<string, unknown>;
    if (Array.isArray(record.payloads)) containers.push(record as { payloads: Payload[] });
    for (const key of Object.keys(record)) if (key !== 'payloads' && key !== 'indexedFields') walk(record[key]);
  };
  walk(history.events);
  for (const container of containers) {
    let payloads = container.payloads;
    for (const codec of [...codecs].reverse()) payloads = await codec.decode(payloads);
    container.payloads = payloads;
  }
  return history;
}

/** Builds a timeline from a workflow history (call or refund workflow). */
export function buildTimeline(history: History, options: { workflowId?: string; runId?: string } = {}): Timeline {
  return new TimelineBuilder(history, options).build();
}

class TimelineBuilder {
  private readonly entries: TimelineEntry[] = [];
  private readonly activities = new Map<string, PendingActivity>();
  private readonly stepCounts = new Map<string, number>();
  private workflowId: string;
  private runId: string | undefined;
  private workflowType = 'unknown';
  private status: ExecutionStatus = 'running';
  private startedAt: number | undefined;
  private closedAt: number | undefined;
  private callInput: CallInput | undefined;
  private refundRequest: RefundRequest | undefined;
  private outcome: CallOutcome | undefined;
  private refund: RefundOutcome | undefined;
  private closeError: TimelineError | undefined;
  private stage: string | undefined;
  private stageSince = 0;
  private open: TimelineEntry | undefined;
  private order: Order | undefined;
  private paymentIntentId: string | undefined;

  constructor(
    private readonly history: History,
    options: { workflowId?: string; runId?: string },
  ) {
    this.workflowId = options.workflowId ?? '';
    this.runId = options.runId;
  }

  build(): Timeline {
    unreadablePayloads = 0;
    for (const event of this.history.events ?? []) this.apply(event);
    this.finishOpenEntries();
    const unreadable = unreadablePayloads;
    const timeline: Timeline = {
      workflowId: this.workflowId,
      ...(this.runId ? { runId: this.runId } : {}),
      workflowType: this.workflowType,
      status: this.status,
      ...(this.startedAt ? { startedAt: iso(this.startedAt)! } : {}),
      ...(this.closedAt ? { closedAt: iso(this.closedAt)! } : {}),
      ...(this.callInput ? { callSid: this.callInput.callSid } : {}),
      ...(this.outcome ? { outcome: this.outcome } : {}),
      ...(this.refund ? { refund: this.refund } : {}),
      ...(this.refundRequest ? { refundRequest: this.refundRequest } : {}),
      ...(this.status === 'running' && this.stage ? { stage: this.stage } : {}),
      ...this.orderFacts(),
      ...(unreadable ? { unreadablePayloads: unreadable } : {}),
      entries: this.entries,
      whereFailed: '',
    };
    return withVerdict(timeline);
  }

  private orderFacts(): Pick<Timeline, 'orderId' | 'amount' | 'currency' | 'paymentIntentId'> {
    const o = this.outcome;
    const r = this.refundRequest;
    const orderId = o?.orderId ?? this.order?.orderId ?? r?.orderId;
    const amount = o?.amount ?? this.order?.amount ?? r?.paidAmount;
    const currency = o?.currency ?? this.order?.currency ?? r?.currency;
    const paymentIntentId = o?.paymentIntentId ?? this.paymentIntentId ?? r?.paymentIntentId;
    return {
      ...(orderId ? { orderId } : {}),
      ...(amount !== undefined ? { amount } : {}),
      ...(currency ? { currency } : {}),
      ...(paymentIntentId ? { paymentIntentId } : {}),
    };
  }

  private apply(event: HistoryEvent): void {
    const at = eventTime(event);
    const id = eventId(event);
    if (event.workflowExecutionStartedEventAttributes) return this.onStarted(event, at, id);
    if (event.upsertWorkflowSearchAttributesEventAttributes) return this.onUpsert(event, at, id);
    if (event.workflowExecutionUpdateAcceptedEventAttributes) return this.onCallerEvent(event, at, id);
    if (event.workflowExecutionSignaledEventAttributes) return this.onSignal(event, at, id);
    if (event.timerFiredEventAttributes) return this.onTimerFired(at, id);
    if (event.activityTaskScheduledEventAttributes) return this.onActivityScheduled(event, at, id);
    if (event.activityTaskStartedEventAttributes) return this.onActivityStarted(event);
    if (event.activityTaskCompletedEventAttributes) return this.onActivityCompleted(event, at, id);
    if (event.activityTaskFailedEventAttributes) {
      const a = event.activityTaskFailedEventAttributes;
      const details = decode<Partial<CardDeclinedDetails>>(a.failure?.applicationFailureInfo?.details);
      return this.onActivityFailed(String(a.scheduledEventId), errorOf(a.failure), at, id, details?.paymentIntentId);
    }
    if (event.activityTaskTimedOutEventAttributes) {
      const a = event.activityTaskTimedOutEventAttributes;
      return this.onActivityFailed(String(a.scheduledEventId), { type: 'Timeout', ...errorOf(a.failure) }, at, id);
    }
    if (event.activityTaskCanceledEventAttributes) {
      const a = event.activityTaskCanceledEventAttributes;
      return this.onActivityFailed(String(a.scheduledEventId), { type: 'Cancelled', message: 'Activity cancelled' }, at, id);
    }
    this.onClosed(event, at, id);
  }

  private onStarted(event: HistoryEvent, at: number, id: number): void {
    const a = event.workflowExecutionStartedEventAttributes!;
    this.startedAt = at;
    this.workflowType = a.workflowType?.name ?? 'unknown';
    this.workflowId ||= a.workflowId ?? '';
    this.runId ??= a.originalExecutionRunId ?? undefined;
    if (this.workflowType === 'refundWorkflow') {
      const request = decode<RefundRequest>(a.input);
      if (!request) return;
      this.refundRequest = request;
      const what = request.amount === undefined ? 'the full remaining amount' : formatMoney(request.amount, request.currency);
      this.add({
        step: 'refund',
        title: 'Refund requested',
        status: 'info',
        at,
        ids: [id],
        summary: `Operator asked to refund ${what} of ${formatMoney(request.paidAmount, request.currency)} paid for order ${request.orderId} (request ${request.requestKey}, ${request.reason.replace(/_/g, ' ')})`,
        paymentIntentId: request.paymentIntentId,
      });
      this.stage = 'refund';
      return;
    }
    this.callInput = decode<CallInput>(a.input);
    const locale = this.callInput?.locale ? ` in ${this.callInput.locale}` : '';
    this.add({ step: 'call', title: 'Call answered', status: 'info', at, ids: [id], summary: `Call ${this.callInput?.callSid ?? ''} started${locale}`.replace('  ', ' ') });
  }

  private onUpsert(event: HistoryEvent, at: number, id: number): void {
    const fields = event.upsertWorkflowSearchAttributesEventAttributes!.searchAttributes?.indexedFields ?? {};
    const stagePayload = fields['PaycallStage'];
    if (!stagePayload) return;
    const stage = decode<string>({ payloads: [stagePayload] });
    if (!stage || this.workflowType === 'refundWorkflow') return;
    this.stage = stage;
    this.stageSince = at;
    if (stage === 'card-capture') {
      this.closeOpen(at);
      this.open = this.add({ step: 'card-capture', title: 'Card capture', status: 'running', at, ids: [id], summary: 'Waiting for the caller to key in a card (<Pay>)', attempt: this.nextAttempt('card-capture') });
    } else if (stage === 'charge' || stage === 'mark-paid' || stage === 'receipt' || stage === 'refund') {
      this.closeOpen(at);
      const attempt = stage === 'charge' ? this.count('card-capture') : undefined;
      this.open = this.add({ step: stage, title: stepTitles[stage], status: 'running', at, ids: [id], summary: 'In progress', ...(attempt ? { attempt } : {}) });
    } else if (stage === 'confirmation') {
      this.closeOpen(at);
      this.add({ step: 'confirmation', title: 'Confirmation', status: 'ok', at, ids: [id], summary: 'Confirmation code read to the caller' });
    } else if (stage === 'done') {
      this.closeOpen(at);
    }
  }

  private onCallerEvent(event: HistoryEvent, at: number, id: number): void {
    const callerEvent = decode<CallerEvent>(event.workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest?.input?.args);
    if (!callerEvent || callerEvent.kind === 'start') return;
    if (callerEvent.kind === 'digits') {
      if (this.stage === 'order-entry') return this.onOrderDigits(callerEvent.digits, at, id);
      if (this.stage === 'amount-confirmation') return this.onMenuChoice(callerEvent.digits, at, id);
      return;
    }
    const pay = callerEvent.pay;
    const entry = this.open?.step === 'card-capture' ? this.open : this.add({ step: 'card-capture', title: 'Card capture', status: 'running', at, ids: [], summary: '', attempt: this.nextAttempt('card-capture') });
    entry.source.eventIds.push(id);
    const last4 = pay.paymentCardNumber?.match(/(\d{4})\s*$/)?.[1];
    if (pay.paymentCardType || last4) entry.card = { ...(pay.paymentCardType ? { brand: pay.paymentCardType } : {}), ...(last4 ? { last4 } : {}) };
    if (pay.result === 'success' && pay.paymentToken) {
      entry.paymentMethodId = pay.paymentToken;
      this.close(entry, at, 'ok', `Card captured: ${pay.paymentCardType ?? 'card'}${last4 ? ` ending ${last4}` : ''} (${pay.paymentToken})`);
    } else {
      entry.error = { type: '<Pay>', code: pay.result, message: scrubText(pay.paymentError ?? pay.connectorError ?? `<Pay> ended with ${pay.result}`) };
      this.close(entry, at, 'failed', pay.result === 'caller-hung-up' ? 'Caller hung up during <Pay>' : `No card: <Pay> ended with ${pay.result}${pay.paymentError ? ` (${pay.paymentError})` : ''}`);
    }
    if (this.open === entry) this.open = undefined;
  }

  private onOrderDigits(raw: string, at: number, id: number): void {
    const digits = raw.replace(/#$/, '');
    const entry = this.add({ step: 'order-entry', title: 'Order entry', status: 'running', at: this.boundary(), ids: [id], summary: `Caller entered ${digits ? `order number ${digits}` : 'nothing'}`, attempt: this.nextAttempt('order-entry') });
    if (digits === '') {
      entry.error = { code: 'no-input', message: 'No order number entered' };
      this.close(entry, at, 'failed', 'Caller entered nothing');
    } else if (!/^[0-9]{1,20}$/.test(digits)) {
      entry.error = { code: 'malformed-order-number', message: 'Order number contained non-digits' };
      this.close(entry, at, 'failed', 'Order number contained non-digits');
    } else {
      this.open = entry;
    }
  }

  private onMenuChoice(choice: string, at: number, id: number): void {
    const amount = this.order ? formatMoney(this.order.amount, this.order.currency) : 'the amount';
    const base = { step: 'amount-confirmation' as const, title: 'Amount confirmation', at: this.boundary(), ids: [id], attempt: this.nextAttempt('amount-confirmation') };
    if (choice === '1') return void this.close(this.add({ ...base, status: 'running', summary: '' }), at, 'ok', `Caller confirmed ${amount} (pressed 1)`);
    if (choice === '2') return void this.close(this.add({ ...base, status: 'running', summary: '' }), at, 'info', 'Caller asked to hear the amount again (pressed 2)');
    if (choice === '0') return void this.close(this.add({ ...base, status: 'running', summary: '' }), at, 'info', 'Caller asked for an operator (pressed 0)');
    const entry = this.add({ ...base, status: 'running', summary: '' });
    entry.error = { code: choice ? 'invalid-choice' : 'no-input', message: `Menu input "${choice}"` };
    this.close(entry, at, 'failed', choice ? `Caller pressed ${choice}, which is not a menu choice` : 'Caller pressed nothing');
  }

  private onSignal(event: HistoryEvent, at: number, id: number): void {
    const a = event.workflowExecutionSignaledEventAttributes!;
    if (a.signalName !== 'callStatus') return;
    const status = decode<{ callStatus?: string }>(a.input)?.callStatus;
    if (!status || !(terminalCallStatuses as readonly string[]).includes(status)) return;
    this.add({ step: 'call', title: 'Caller hung up', status: 'info', at, ids: [id], summary: `Twilio reported the call ${status}${this.stage ? ` during ${stepLabels[this.stage] ?? this.stage}` : ''}` });
  }

  private onTimerFired(at: number, id: number): void {
    if (!this.stage || !['order-entry', 'amount-confirmation', 'card-capture'].includes(this.stage)) return;
    this.add({ step: this.stage as CallStep, title: 'No answer', status: 'info', at, ids: [id], summary: 'No callback from Twilio before the turn timed out' });
  }

  private onActivityScheduled(event: HistoryEvent, at: number, id: number): void {
    const a = event.activityTaskScheduledEventAttributes!;
    const type = a.activityType?.name ?? 'activity';
    const input = decode<unknown>(a.input);
    const entry = this.entryForActivity(type, input, at, id);
    entry.source.eventIds.push(id);
    this.activities.set(String(id), { type, input, scheduledAt: at, eventIds: [id], entry });
  }

  private entryForActivity(type: string, input: unknown, at: number, id: number): TimelineEntry {
    const open = this.open;
    if (type === 'lookupOrder') {
      if (this.stage && this.stage !== 'order-entry') {
        // A re-check of an order already found (e.g. still unpaid after the amount was confirmed).
        const last = [...this.entries].reverse().find((e) => e.step === this.stage);
        const entry = last ?? this.add({ step: this.stage as CallStep, title: 'Order check', status: 'running', at, ids: [], summary: '' });
        entry.status = 'running';
        return (this.open = entry);
      }
      if (open?.step === 'order-entry') return open;
      return (this.open = this.add({ step: 'order-entry', title: 'Order entry', status: 'running', at, ids: [], summary: `Looking up order ${String(input)}`, attempt: this.nextAttempt('order-entry') }));
    }
    const step: CallStep | undefined =
      type === 'chargeCard' ? 'charge' : type === 'markOrderPaid' ? 'mark-paid' : type === 'sendReceipt' ? 'receipt' : type === 'refundPayment' ? 'refund' : undefined;
    if (step === 'charge') {
      const charge = input as ChargeCardInput | undefined;
      const entry = open?.step === 'charge' ? open : this.add({ step, title: 'Charge', status: 'running', at, ids: [], summary: '', attempt: charge?.captureAttempt ?? this.count('card-capture') });
      const captured = [...this.entries].reverse().find((e) => e.step === 'card-capture' && e.status === 'ok');
      if (captured?.card && !entry.card) entry.card = { ...captured.card };
      entry.summary = `Charging ${formatMoney(charge?.amount, charge?.currency)}${charge?.paymentIntentId ? ` on ${charge.paymentIntentId} again` : ''}`;
      if (charge?.idempotencyKey) entry.idempotencyKey = charge.idempotencyKey;
      if (charge?.paymentMethodId) entry.paymentMethodId = charge.paymentMethodId;
      return (this.open = entry);
    }
    if (step) {
      if (open?.step === step && open.status === 'running') return open;
      const title = step === 'refund' && this.workflowType === 'refundWorkflow' ? 'Refund (Stripe)' : stepTitles[step];
      return (this.open = this.add({ step, title, status: 'running', at, ids: [], summary: 'In progress' }));
    }
    return (this.open = this.add({ step: (this.stage as CallStep) ?? 'call', title: type, status: 'running', at, ids: [], summary: `Activity ${type}` }));
  }

  private onActivityStarted(event: HistoryEvent): void {
    const a = event.activityTaskStartedEventAttributes!;
    const pending = this.activities.get(String(a.scheduledEventId));
    if (!pending) return;
    const attempt = a.attempt ?? 1;
    pending.attempt = attempt;
    if (a.lastFailure) pending.lastFailure = describeError(errorOf(a.lastFailure));
    if (attempt > 1) {
      pending.entry.activityAttempts = attempt;
      if (pending.lastFailure) pending.entry.retriedAfter = pending.lastFailure;
    }
  }

  private onActivityCompleted(event: HistoryEvent, at: number, id: number): void {
    const a = event.activityTaskCompletedEventAttributes!;
    const pending = this.activities.get(String(a.scheduledEventId));
    if (!pending) return;
    const { entry, type } = pending;
    entry.source.eventIds.push(id);
    const result = decode<unknown>(a.result);
    const retried = pending.attempt && pending.attempt > 1 ? ` after ${pending.attempt} attempts` : '';
    if (result === undefined && type !== 'sendReceipt') {
      // `null` decodes to null; undefined means the payload could not be read.
      this.close(entry, at, 'ok', `${stepTitles[entry.step] ?? type} done (details encrypted)${retried}`);
    } else if (type === 'lookupOrder' && entry.step !== 'order-entry') {
      const order = result as Order | null;
      const before = entry.summary ? `${entry.summary}; ` : '';
      if (order?.status === 'unpaid') {
        this.close(entry, at, 'ok', `${before}order ${order.orderId} still unpaid`);
      } else {
        entry.error = { code: order ? 'order-already-paid' : 'order-not-found', message: order ? `Order ${order.orderId} was paid meanwhile` : `Order ${String(pending.input)} is gone` };
        this.close(entry, at, 'failed', `${before}${entry.error.message}`);
      }
    } else if (type === 'lookupOrder') {
      const order = result as Order | null;
      const digits = String(pending.input);
      if (!order) {
        entry.error = { code: 'order-not-found', message: `No order ${digits}` };
        this.close(entry, at, 'failed', `Order ${digits} not found`);
      } else if (order.status !== 'unpaid') {
        entry.error = { code: 'order-already-paid', message: `Order ${digits} is already paid` };
        this.close(entry, at, 'failed', `Order ${digits} is already paid`);
      } else {
        this.order = order;
        this.close(entry, at, 'ok', `Order ${order.orderId} found: ${formatMoney(order.amount, order.currency)} for ${order.description}`);
      }
    } else if (type === 'chargeCard') {
      const charge = result as ChargeCardResult;
      this.paymentIntentId = charge.paymentIntentId;
      entry.paymentIntentId = charge.paymentIntentId;
      entry.card = { ...entry.card, ...(charge.cardBrand ? { brand: charge.cardBrand } : {}), ...(charge.cardLast4 ? { last4: charge.cardLast4 } : {}) };
      const input = pending.input as ChargeCardInput | undefined;
      this.close(entry, at, 'ok', `Charged ${formatMoney(input?.amount, input?.currency)}: ${charge.paymentIntentId} ${charge.status}${retried}`);
    } else if (type === 'markOrderPaid') {
      this.close(entry, at, 'ok', `Order ${(pending.input as { orderId?: string })?.orderId ?? ''} marked paid${retried}`);
    } else if (type === 'sendReceipt') {
      const receipt = (result ?? { sent: true }) as ReceiptResult;
      if (receipt.sent) this.close(entry, at, 'ok', `Receipt texted to the caller${receipt.messageSid ? ` (${receipt.messageSid})` : ''}${retried}`);
      else this.close(entry, at, 'info', `No receipt sent: ${scrubText(receipt.skippedBecause ?? 'skipped')}`);
    } else if (type === 'refundPayment') {
      const refund = result as RefundResult;
      const input = pending.input as RefundInput | undefined;
      entry.refundId = refund.refundId;
      if (input?.paymentIntentId) entry.paymentIntentId = input.paymentIntentId;
      if (input?.idempotencyKey) entry.idempotencyKey = input.idempotencyKey;
      const currency = this.order?.currency ?? this.refundRequest?.currency;
      this.close(entry, at, 'ok', `Refunded ${formatMoney(refund.amount, currency)}: ${refund.refundId} ${refund.status}${retried}`);
    } else {
      this.close(entry, at, 'ok', `${type} completed${retried}`);
    }
    this.activities.delete(String(a.scheduledEventId));
  }

  private onActivityFailed(scheduledEventId: string, error: TimelineError, at: number, id: number, paymentIntentId?: string): void {
    const pending = this.activities.get(scheduledEventId);
    if (!pending) return;
    const { entry, type } = pending;
    entry.source.eventIds.push(id);
    entry.error = error;
    const retried = pending.attempt && pending.attempt > 1 ? ` (after ${pending.attempt} attempts)` : '';
    if (type === 'chargeCard' && error.type === 'CardDeclined') {
      if (paymentIntentId) {
        entry.paymentIntentId = paymentIntentId;
        this.paymentIntentId = paymentIntentId;
      }
      this.close(entry, at, 'failed', `Card declined: ${[error.code, error.declineCode].filter(Boolean).join(' / ')}: ${error.message}`);
    } else if (type === 'refundPayment') {
      const input = pending.input as RefundInput | undefined;
      if (input?.idempotencyKey) entry.idempotencyKey = input.idempotencyKey;
      if (input?.paymentIntentId) entry.paymentIntentId = input.paymentIntentId;
      this.close(entry, at, 'failed', `Refund ${error.type === 'RefundRefused' ? 'refused by Stripe' : 'failed'}: ${error.message}${retried}`);
    } else {
      this.close(entry, at, 'failed', `${stepTitles[entry.step]} failed: ${describeError(error)}${retried}`);
    }
    this.activities.delete(scheduledEventId);
  }

  private onClosed(event: HistoryEvent, at: number, id: number): void {
    if (event.workflowExecutionCompletedEventAttributes) {
      this.status = 'completed';
      const result = decode<unknown>(event.workflowExecutionCompletedEventAttributes.result);
      if (this.workflowType === 'refundWorkflow') this.refund = result as RefundOutcome;
      else this.outcome = result as CallOutcome;
    } else if (event.workflowExecutionFailedEventAttributes) {
      this.status = 'failed';
      this.closeError = errorOf(event.workflowExecutionFailedEventAttributes.failure);
    } else if (event.workflowExecutionTerminatedEventAttributes) {
      this.status = 'terminated';
      this.closeError = { type: 'Terminated', message: scrubText(event.workflowExecutionTerminatedEventAttributes.reason || 'terminated by an operator') };
    } else if (event.workflowExecutionTimedOutEventAttributes) {
      this.status = 'timed-out';
      this.closeError = { type: 'Timeout', message: 'The workflow timed out' };
    } else if (event.workflowExecutionCanceledEventAttributes) {
      this.status = 'canceled';
      this.closeError = { type: 'Cancelled', message: 'The workflow was cancelled' };
    } else if (event.workflowExecutionContinuedAsNewEventAttributes) {
      this.status = 'continued-as-new';
    } else {
      return;
    }
    this.closedAt = at;
    this.closeOpen(at);
    this.add({ step: 'outcome', title: 'Outcome', status: 'info', at, ids: [id], summary: '' });
  }

  /** After the last event: settle entries still open, fill in the outcome entry, mark where it failed. */
  private finishOpenEntries(): void {
    const outcomeEntry = this.entries.find((e) => e.step === 'outcome');
    const failure = this.outcome?.failure;
    if (this.status !== 'running' && this.open) {
      const open = this.open;
      if (failure && failure.step === open.step) open.error = { code: failure.code, message: scrubText(failure.message) };
      this.close(open, this.closedAt ?? this.stageSince, failure && failure.step === open.step ? 'failed' : 'info', failure && failure.step === open.step ? `Not finished: ${scrubText(failure.message)}` : 'Not finished');
      this.open = undefined;
    }
    if (outcomeEntry) {
      if (this.refund) {
        outcomeEntry.status = this.refund.status === 'refunded' ? 'ok' : 'failed';
        outcomeEntry.summary = this.refund.status === 'refunded' ? `Refunded ${formatMoney(this.refund.amount, this.refund.currency)} (${this.refund.refundId})` : `Refund refused: ${this.refund.code}: ${scrubText(this.refund.message)}`;
        if (this.refund.status === 'refunded') outcomeEntry.refundId = this.refund.refundId;
        else outcomeEntry.error = { type: 'RefundRefused', code: this.refund.code, message: scrubText(this.refund.message) };
      } else if (this.outcome) {
        const o = this.outcome;
        outcomeEntry.status = o.outcome === 'paid' ? 'ok' : o.outcome === 'refunded' || o.outcome === 'transferred' ? 'info' : 'failed';
        outcomeEntry.summary = `${o.outcome}${o.failure ? ` at ${stepLabels[o.failure.step] ?? o.failure.step}: ${o.failure.code}` : ''}${o.paymentIntentId ? ` · ${o.paymentIntentId}` : ''}${o.confirmationCode ? ` · confirmation ${o.confirmationCode}` : ''}`;
        if (o.paymentIntentId) outcomeEntry.paymentIntentId = o.paymentIntentId;
      } else if (this.closeError) {
        outcomeEntry.status = 'failed';
        outcomeEntry.error = this.closeError;
        outcomeEntry.summary = `Workflow ${this.status}: ${this.closeError.message}`;
      } else {
        outcomeEntry.summary = `Workflow ${this.status}`;
      }
    }
  }

  private add(spec: { step: TimelineStep; title: string; status: EntryStatus; at: number; ids: number[]; summary: string; attempt?: number; paymentIntentId?: string }): TimelineEntry {
    const entry: TimelineEntry = {
      id: `${this.workflowId}#${spec.ids[0] ?? this.entries.length}`,
      step: spec.step,
      title: spec.title,
      ...(spec.attempt ? { attempt: spec.attempt } : {}),
      status: spec.status,
      startedAt: iso(spec.at) ?? new Date(0).toISOString(),
      summary: spec.summary,
      ...(spec.paymentIntentId ? { paymentIntentId: spec.paymentIntentId } : {}),
      source: { workflowId: this.workflowId, eventIds: [...spec.ids] },
    };
    if (spec.status === 'info' || spec.status === 'ok') entry.endedAt = entry.startedAt;
    this.entries.push(entry);
    return entry;
  }

  private close(entry: TimelineEntry, at: number, status: EntryStatus, summary: string): TimelineEntry {
    entry.status = status;
    entry.summary = summary;
    entry.endedAt = iso(at) ?? entry.startedAt;
    entry.durationMs = Math.max(0, Date.parse(entry.endedAt) - Date.parse(entry.startedAt));
    if (this.open === entry) this.open = undefined;
    return entry;
  }

  /** A running stage entry (e.g. charge) ends when the next stage begins. */
  private closeOpen(at: number): void {
    const open = this.open;
    if (!open || open.status !== 'running') return;
    if (open.step === 'card-capture' || this.hasPendingActivity(open)) return; // ended by its result, not by time
    this.close(open, at, 'ok', open.summary === 'In progress' ? 'Done' : open.summary);
  }

  private hasPendingActivity(entry: TimelineEntry): boolean {
    for (const pending of this.activities.values()) if (pending.entry === entry) return true;
    return false;
  }

  /** Where the next lazily-created entry of the current stage begins: the end of the previous one. */
  private boundary(): number {
    const last = this.entries.at(-1);
    const lastEnd = last?.endedAt ? Date.parse(last.endedAt) : 0;
    return Math.max(lastEnd, this.stageSince);
  }

  private nextAttempt(step: string): number {
    const n = (this.stepCounts.get(step) ?? 0) + 1;
    this.stepCounts.set(step, n);
    return n;
  }

  private count(step: string): number {
    return this.stepCounts.get(step) ?? 0;
  }
}

/** Fills in whereFailed and marks the failing entry. */
function withVerdict(timeline: Timeline): Timeline {
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
    else if (r?.status === 'refused') {
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
    const current = timeline.stage ? stepLabels[timeline.stage] ?? timeline.stage : 'the start';
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
    case 'refunded': {
      const cause = o.failure ? lastFailed(o.failure.step) : undefined;
      mark(cause);
      const refund = [...entries].reverse().find((e) => e.step === 'refund' && e.status === 'ok');
      result.whereFailed = `Charged ${money} (${o.paymentIntentId}) but ${stepLabels[o.failure?.step ?? ''] ?? 'a later step'} failed${o.failure ? ` (${o.failure.code}: ${scrubText(o.failure.message)})` : ''}; the call refunded it${refund?.refundId ? ` (${refund.refundId})` : ''}.`;
      return result;
    }
    case 'abandoned': {
      const step = o.failure?.step ?? 'call';
      mark(lastFailed(step) ?? [...entries].reverse().find((e) => e.title === 'Caller hung up'));
      const attempt = [...entries].reverse().find((e) => e.step === step)?.attempt;
      result.whereFailed = `Caller hung up during ${stepLabels[step] ?? step}${attempt ? ` (attempt ${attempt})` : ''}; ${o.paymentIntentId && o.outcome !== 'abandoned' ? 'a payment was made' : 'nothing was charged'}.`;
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
      const where = `${stepLabels[failure.step] ?? failure.step}${failing?.attempt ? ` (attempt ${failing.attempt})` : ''}`;
      const stripe = failing?.paymentIntentId ? ` (${failing.paymentIntentId})` : '';
      const verb = o.outcome === 'transferred' ? 'Transferred to an operator at' : o.outcome === 'declined' ? 'Declined at' : 'Failed at';
      const detail = failing?.error?.type === 'CardDeclined' ? `card declined, ${[failing.error.code, failing.error.declineCode].filter(Boolean).join(' / ')}: ${failing.error.message}` : `${failure.code}: ${scrubText(failure.message)}`;
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

/**
 * Folds a call's refund workflows into its timeline: their entries in time order, and the
 * call's effective outcome (`refunded` once a refund went through).
 */
export function mergeRefunds(call: Timeline, refunds: Timeline[]): Timeline {
  if (refunds.length === 0) return call;
  const entries = [...call.entries, ...refunds.flatMap((r) => r.entries.filter((e) => e.step !== 'outcome' || e.status === 'failed'))].sort(
    (a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt),
  );
  const done = refunds.filter((r) => r.refund?.status === 'refunded');
  const refused = refunds.filter((r) => r.refund?.status === 'refused');
  const pending = refunds.filter((r) => r.status === 'running');
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
  return {
    ...call,
    entries,
    whereFailed: parts.join(' '),
    ...(done.length ? { effectiveOutcome: 'refunded', refundedAmount } : {}),
  };
}
