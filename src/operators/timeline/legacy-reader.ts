/**
 * LEGACY: rebuilds a step log from a history that carries none: calls and refunds recorded
 * before the workflows kept their own (the committed fixtures under test/ among them), and a
 * running call whose `state` no worker answered for. It reads what those workflows did:
 * stage upserts open steps, the caller's events and the activities close them, as the
 * workflow code of that time decided. Do not extend it: new facts belong in the step log
 * (src/workflows/step-log.ts). Delete it once no such history is worth reading.
 */
import type { History } from '@temporalio/common/lib/proto-utils.js';
import type { ChargeCardInput, ChargeCardResult, ReceiptResult, RefundInput, RefundResult } from '../../activities/types.js';
import type { CallerEvent, CallOutcome } from '../../contract/call.js';
import { refundWorkflowType } from '../../contract/refund.js';
import type { StepActivity, StepRecord } from '../../contract/steps.js';
import type { CallStep } from '../../contract/vocabulary.js';
import type { Order } from '../../orders/order-book.js';
import { eventId, eventTime, iso, type ActivityFacts, type HistoryFacts } from './history-facts.js';

/** Calls recorded before the `compensated` outcome said `refunded` for a call that refunded itself. */
export function upgradeLegacyOutcome(outcome: CallOutcome | undefined): CallOutcome | undefined {
  if ((outcome?.outcome as string) === 'refunded') return { ...outcome!, outcome: 'compensated' };
  return outcome;
}

const stepOfActivity: Record<string, CallStep> = { chargeCard: 'charge', markOrderPaid: 'mark-paid', sendReceipt: 'receipt', refundPayment: 'refund' };

export function legacySteps(history: History, facts: HistoryFacts): StepRecord[] {
  return new LegacyReader(facts).read(history);
}

class LegacyReader {
  private readonly records: StepRecord[] = [];
  private readonly byActivity = new Map<number, StepRecord>();
  private readonly activities = new Map<number, ActivityFacts>();
  private stage: CallStep | undefined;
  private stageSince = 0;
  private open: StepRecord | undefined;
  private order: Order | undefined;

  constructor(private readonly facts: HistoryFacts) {
    for (const activity of facts.activities) this.activities.set(activity.scheduledEventId, activity);
  }

  read(history: History): StepRecord[] {
    const isCall = this.facts.workflowType !== refundWorkflowType;
    for (const event of history.events ?? []) {
      const at = eventTime(event);
      const id = eventId(event);
      const stage = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.['PaycallStage'];
      if (stage && isCall) this.onStage(this.facts.reader.read<CallStep>({ payloads: [stage] }), at);
      const update = event.workflowExecutionUpdateAcceptedEventAttributes;
      if (update) this.onCallerEvent(this.facts.reader.read<CallerEvent>(update.acceptedRequest?.input?.args), at);
      if (event.activityTaskScheduledEventAttributes) this.onScheduled(this.activities.get(id), at);
      const closed = event.activityTaskCompletedEventAttributes ?? event.activityTaskFailedEventAttributes ?? event.activityTaskTimedOutEventAttributes ?? event.activityTaskCanceledEventAttributes;
      if (closed) this.onActivityClosed(this.activities.get(Number(String(closed.scheduledEventId))), at);
      // A local activity (lean calls) is one marker: scheduled and closed at once.
      const local = event.markerRecordedEventAttributes?.markerName === 'core_local_activity' ? this.activities.get(id) : undefined;
      if (local) {
        this.onScheduled(local, at);
        this.onActivityClosed(local, at);
      }
    }
    this.finish();
    return this.records;
  }

  private onStage(stage: CallStep | undefined, at: number): void {
    if (!stage) return;
    this.stage = stage;
    this.stageSince = at;
    if (stage === 'card-capture' || stage === 'charge' || stage === 'mark-paid' || stage === 'receipt' || stage === 'refund') {
      this.closeOpen(at);
      const attempt = stage === 'charge' ? this.count('card-capture') : undefined;
      this.open = this.add(stage, at, attempt);
    } else if (stage === 'confirmation') {
      this.closeOpen(at);
      this.close(this.add('confirmation', at), 'ok', at);
    } else if (stage === 'done') {
      this.closeOpen(at);
    }
  }

  private onCallerEvent(event: CallerEvent | undefined, at: number): void {
    if (!event || event.kind === 'start') return;
    if (event.kind === 'dial-ended') return; // never in a legacy history
    if (event.kind === 'digits') {
      if (this.stage === 'order-entry') return this.onOrderDigits(event.digits.replace(/#$/, ''), at);
      if (this.stage === 'amount-confirmation') return this.onMenuChoice(event.digits, at);
      return;
    }
    const pay = event.pay;
    const record = this.open?.step === 'card-capture' ? this.open : this.add('card-capture', at);
    const last4 = pay.paymentCardNumber?.match(/(\d{4})\s*$/)?.[1];
    if (pay.paymentCardType || last4) record.card = { ...(pay.paymentCardType ? { brand: pay.paymentCardType } : {}), ...(last4 ? { last4 } : {}) };
    if (pay.result === 'success' && pay.paymentToken) {
      record.paymentMethodId = pay.paymentToken;
      this.close(record, 'ok', at);
    } else {
      this.close(record, 'failed', at, { code: pay.result, errorType: '<Pay>', message: pay.paymentError ?? pay.connectorError ?? `<Pay> ended with ${pay.result}` });
    }
  }

  private onOrderDigits(digits: string, at: number): void {
    const record = this.add('order-entry', this.boundary(), undefined, digits ? { input: digits } : {});
    if (digits === '') this.close(record, 'failed', at, { code: 'no-input', message: 'No order number entered' });
    else if (!/^[0-9]{1,20}$/.test(digits)) this.close(record, 'failed', at, { code: 'malformed-order-number', message: 'Order number contained non-digits' });
    else this.open = record;
  }

  private onMenuChoice(choice: string, at: number): void {
    const record = this.add('amount-confirmation', this.boundary(), undefined, { ...(choice ? { input: choice } : {}), ...(this.order ? { order: orderFacts(this.order) } : {}) });
    if (choice === '1') this.open = record;
    else if (choice === '2') this.close(record, 'info', at, { code: 'repeat' });
    else if (choice === '0') this.close(record, 'info', at, { code: 'caller-asked-for-operator' });
    else this.close(record, 'failed', at, { code: choice ? 'invalid-choice' : 'no-input', message: `Menu input "${choice}"` });
  }

  private onScheduled(activity: ActivityFacts | undefined, at: number): void {
    if (!activity) return;
    const type = activity.type;
    let record: StepRecord;
    if (type === 'lookupOrder') {
      const recheck = this.stage && this.stage !== 'order-entry';
      record = recheck ? ([...this.records].reverse().find((r) => r.step === this.stage) ?? this.add(this.stage!, at)) : this.open?.step === 'order-entry' ? this.open : this.add('order-entry', at);
      if (!recheck && activity.input !== undefined) record.input = String(activity.input);
      record.status = 'running';
      this.open = record;
    } else {
      const step = stepOfActivity[type] ?? this.stage ?? 'order-entry';
      record = this.open?.step === step && this.open.status === 'running' ? this.open : this.add(step, at, step === 'charge' ? ((activity.input as ChargeCardInput | undefined)?.captureAttempt ?? this.count('card-capture')) : undefined);
      this.open = record;
      this.withInput(record, type, activity.input);
    }
    record.activity = type as StepActivity;
    this.byActivity.set(activity.scheduledEventId, record);
  }

  private withInput(record: StepRecord, type: string, input: unknown): void {
    if (type === 'chargeCard') {
      const charge = input as ChargeCardInput | undefined;
      const captured = [...this.records].reverse().find((r) => r.step === 'card-capture' && r.status === 'ok');
      Object.assign(record, {
        ...(charge ? { amount: charge.amount, currency: charge.currency, idempotencyKey: charge.idempotencyKey, paymentMethodId: charge.paymentMethodId } : {}),
        ...(charge?.paymentIntentId ? { paymentIntentId: charge.paymentIntentId } : {}),
        ...(captured?.card ? { card: { ...captured.card } } : {}),
      });
    } else if (type === 'refundPayment') {
      const refund = input as RefundInput | undefined;
      if (refund) Object.assign(record, { paymentIntentId: refund.paymentIntentId, idempotencyKey: refund.idempotencyKey, ...(refund.amount !== undefined ? { amount: refund.amount } : {}) });
    } else if (type === 'markOrderPaid' && this.order) {
      record.order = orderFacts(this.order);
    }
  }

  private onActivityClosed(activity: ActivityFacts | undefined, at: number): void {
    const record = activity ? this.byActivity.get(activity.scheduledEventId) : undefined;
    if (!activity || !record) return;
    if (activity.state !== 'completed') {
      const error = activity.error;
      const declined = error?.type === 'CardDeclined';
      const facts: Partial<StepRecord> = {
        ...(error?.type ? { errorType: error.type } : {}),
        code: error?.code ?? error?.type ?? 'failed',
        ...(error?.declineCode ? { declineCode: error.declineCode } : {}),
        message: error?.message ?? 'failed',
        ...(declined && activity.declinedPaymentIntentId ? { paymentIntentId: activity.declinedPaymentIntentId } : {}),
      };
      return this.close(record, 'failed', at, facts);
    }
    const result = activity.result;
    if (activity.type === 'lookupOrder') return this.onLookup(record, result as Order | null | undefined, at);
    if (activity.type === 'chargeCard') {
      const charge = result as ChargeCardResult | undefined;
      if (charge) Object.assign(record, { paymentIntentId: charge.paymentIntentId, card: { ...record.card, ...(charge.cardBrand ? { brand: charge.cardBrand } : {}), ...(charge.cardLast4 ? { last4: charge.cardLast4 } : {}) } });
    } else if (activity.type === 'sendReceipt') {
      const receipt = (result ?? { sent: true }) as ReceiptResult;
      if (!receipt.sent) return this.close(record, 'info', at, { code: 'not-sent', message: receipt.skippedBecause ?? 'skipped' });
      if (receipt.messageSid) record.messageSid = receipt.messageSid;
    } else if (activity.type === 'refundPayment') {
      const refund = result as RefundResult | undefined;
      if (refund) Object.assign(record, { refundId: refund.refundId, amount: refund.amount, code: refund.status, currency: record.currency ?? this.order?.currency ?? (this.facts.input as { currency?: string } | undefined)?.currency });
    }
    this.close(record, 'ok', at);
  }

  private onLookup(record: StepRecord, order: Order | null | undefined, at: number): void {
    const asked = record.input ?? '';
    if (record.step !== 'order-entry') {
      if (order?.status === 'unpaid' || order === undefined) return this.close(record, 'ok', at, { code: 'confirmed' });
      return this.close(record, 'failed', at, { code: 'order-already-paid', message: order ? `Order ${order.orderId} was paid meanwhile` : `Order ${asked} is gone` });
    }
    if (order === undefined) return this.close(record, 'ok', at); // unreadable: encrypted
    if (!order) return this.close(record, 'failed', at, { code: 'order-not-found', message: `No order ${asked}` });
    if (order.status !== 'unpaid') return this.close(record, 'failed', at, { code: 'order-already-paid', message: `Order ${asked} is already paid` });
    this.order = order;
    this.close(record, 'ok', at, { order: orderFacts(order) });
    // Lean calls do not upsert the menu's stage: a found order is what opens it.
    if (this.stage === 'order-entry') {
      this.stage = 'amount-confirmation';
      this.stageSince = at;
    }
  }

  /** After the last event: a step still open when the workflow closed failed there, or was cut short. */
  private finish(): void {
    const open = this.open;
    if (this.facts.status === 'running') return this.awaitingAnotherCard();
    if (!open || open.status !== 'running') return;
    const failure = upgradeLegacyOutcome(this.facts.result as CallOutcome | undefined)?.failure;
    const at = this.facts.closedAt ?? this.stageSince;
    if (failure && failure.step === open.step) this.close(open, 'failed', at, { code: failure.code, message: failure.message });
    else this.close(open, 'info', at, { code: 'not-finished' });
  }

  /** A running lean call whose last fact is a declined charge is asking for another card (it upserts no stage for that). */
  private awaitingAnotherCard(): void {
    const last = this.records.at(-1);
    if (last?.step === 'charge' && last.status === 'failed' && last.errorType === 'CardDeclined' && last.endedAt) this.open = this.add('card-capture', Date.parse(last.endedAt));
  }

  private add(step: CallStep, at: number, attempt?: number, facts: Partial<StepRecord> = {}): StepRecord {
    const record: StepRecord = { step, attempt: attempt ?? this.count(step) + 1, status: 'running', startedAt: iso(at) ?? new Date(0).toISOString(), ...facts };
    this.records.push(record);
    return record;
  }

  private close(record: StepRecord, status: StepRecord['status'], at: number, facts: Partial<StepRecord> = {}): void {
    Object.assign(record, facts, { status, endedAt: iso(at) ?? record.startedAt });
    if (this.open === record) this.open = undefined;
  }

  /** A running stage (e.g. charge) ends when the next stage begins, unless its own result ends it. */
  private closeOpen(at: number): void {
    const open = this.open;
    if (!open || open.status !== 'running' || open.step === 'card-capture' || open.activity) return;
    this.close(open, 'ok', at);
  }

  /** Where an entry the caller's input created begins: the end of the previous one. */
  private boundary(): number {
    const last = this.records.at(-1);
    return Math.max(last?.endedAt ? Date.parse(last.endedAt) : 0, this.stageSince);
  }

  private count(step: CallStep): number {
    return this.records.filter((r) => r.step === step).length;
  }
}

function orderFacts(order: Order): NonNullable<StepRecord['order']> {
  return { orderId: order.orderId, amount: order.amount, currency: order.currency, description: order.description };
}
