/**
 * One card capture an operator runs on the live call: a Payment session on the call, each
 * card field asked for in turn (asked again when Twilio reports it invalid or silent, up to
 * three times, or when the operator asks), then complete, then the same charge path as a
 * keypad capture. Twilio's status callbacks arrive as signals and are applied here with
 * `apply`: masked facts only, duplicates and stale ones changing nothing.
 */
import { condition, proxyActivities } from '@temporalio/workflow';
import type { LiveCallActivities } from '../activities/types.js';
import { agentCaptureFields, type AgentCaptureField, type AgentCaptureView, type AgentFieldState, type PaymentStatusEvent } from '../contract/operator.js';
import { orderBookActivityOptions } from './activity-options.js';
import { failureCodeOf, messageOf } from './activity-failures.js';
import type { CallProgress } from './call-progress.js';
import type { ChargeTarget, Payments } from './payment.js';
import type { StepHandle } from './step-log.js';

const { createPaymentSession, capturePaymentField, finishPaymentSession } = proxyActivities<LiveCallActivities>(orderBookActivityOptions);

/** Twilio may report a field invalid or silent; the caller gets this many tries at it. */
export const maxFieldAttempts = 3;

/** The card brands of a call whose input names none (it began before PAY_VALID_CARD_TYPES). */
const legacyCardTypes = ['visa', 'mastercard', 'amex'];

export type AgentCaptureEnd = 'paid' | 'declined' | 'failed' | 'cancelled' | 'abandoned';

export interface AgentCaptureDeps {
  callSid: string;
  progress: CallProgress;
  payments: Payments;
  /** The caller has hung up. */
  hungUp(): boolean;
  /** The brands the call's `<Pay>` accepts (its input's PAY_VALID_CARD_TYPES): an operator takes the same. */
  validCardTypes?: readonly string[];
}

export class AgentCapture {
  readonly view: AgentCaptureView;
  private readonly reasks = new Map<AgentCaptureField, string>();
  private cancelledBy: string | undefined;
  private result: PaymentStatusEvent | undefined;
  private entry: StepHandle | undefined;

  constructor(
    readonly attempt: number,
    readonly operator: string,
    readonly target: ChargeTarget,
    private readonly deps: AgentCaptureDeps,
  ) {
    this.view = {
      attempt,
      operator,
      status: 'starting',
      fields: agentCaptureFields.map((field) => ({ field, state: 'waiting', attempts: 0 })),
      amount: target.amount,
      currency: target.currency,
      description: target.description,
      ...(target.order ? { orderId: target.order.orderId } : {}),
    };
  }

  get running(): boolean {
    return ['starting', 'capturing', 'completing', 'charging'].includes(this.view.status);
  }

  reask(field: AgentCaptureField, operator: string): void {
    this.reasks.set(field, operator);
  }

  cancel(operator: string): void {
    this.cancelledBy ??= operator;
  }

  /** A status callback: field progress, masked card facts, or the session's Result. */
  apply(event: PaymentStatusEvent): void {
    if (!this.view.sessionSid || event.sessionSid !== this.view.sessionSid) return; // another session's, or too early
    if (event.card) this.view.card = { ...this.view.card, ...event.card };
    if (event.result) {
      this.result ??= event; // the first Result is the session's
      return;
    }
    const field = this.view.fields.find((f) => f.field === event.capture);
    // Only the field being asked for moves; a duplicate or a stale callback finds it settled.
    if (!field || (field.state !== 'asking' && field.state !== 'keying')) return;
    if (event.partialResult) field.state = 'keying';
    else if (!event.errorType) field.state = 'entered';
    else {
      field.state = event.errorType === 'input-timeout' ? 'timed-out' : 'invalid';
      field.errorType = event.errorType;
    }
  }

  async run(): Promise<AgentCaptureEnd> {
    const { progress } = this.deps;
    progress.state.captureAttempts = this.attempt;
    progress.enter('card-capture');
    this.entry = progress.begin('card-capture', { via: 'operator', operator: this.operator, activity: 'createPaymentSession' }, this.attempt);
    const key = `call-${this.deps.callSid}/agent-capture/${this.attempt}`;
    try {
      const session = await createPaymentSession({ callSid: this.deps.callSid, idempotencyKey: key, currency: this.target.currency.toLowerCase(), description: this.target.description, validCardTypes: [...(this.deps.validCardTypes ?? legacyCardTypes)] });
      this.view.sessionSid = session.sessionSid;
      this.entry.note({ paymentSessionSid: session.sessionSid });
      this.view.status = 'capturing';
      for (let field = this.nextField(); field; field = this.nextField()) {
        const got = await this.captureField(field, key);
        if (got !== 'entered') return this.stop(got, key);
      }
      this.view.status = 'completing';
      await finishPaymentSession({ callSid: this.deps.callSid, sessionSid: session.sessionSid, idempotencyKey: `${key}/complete`, status: 'complete' });
      await condition(() => this.result !== undefined || this.deps.hungUp());
      if (!this.result) return this.stop('abandoned', key);
      if (this.result.result !== 'success' || !this.result.paymentToken) return this.fail(this.result.result ?? 'no-result', this.result.paymentError ?? `the session ended with ${this.result.result}`);
      this.entry.ok({ paymentMethodId: this.result.paymentToken, ...this.captureFacts() });
      return this.charge(this.result.paymentToken);
    } catch (err) {
      if (this.running) return this.fail(failureCodeOf(err), messageOf(err));
      throw err;
    }
  }

  /** The next field to ask for: one the operator asked again for, else the first not yet entered. */
  private nextField(): AgentCaptureField | undefined {
    const reasked = this.view.fields.find((f) => this.reasks.has(f.field));
    return reasked?.field ?? this.view.fields.find((f) => f.state !== 'entered')?.field;
  }

  private async captureField(field: AgentCaptureField, key: string): Promise<'entered' | 'failed' | 'cancelled' | 'abandoned'> {
    const state = this.view.fields.find((f) => f.field === field)!;
    for (;;) {
      const reaskedBy = this.reasks.get(field);
      this.reasks.delete(field);
      if (reaskedBy && this.entry) this.entry.note({ fields: this.fieldFacts({ [field]: reaskedBy }) });
      state.attempts++;
      state.state = 'asking';
      // Why this is a second try, for the console ("card number invalid, asking again"); the view only, not the history.
      if (state.errorType) state.previousErrorType = state.errorType;
      else delete state.previousErrorType;
      if (reaskedBy) state.reaskedBy = reaskedBy;
      else delete state.reaskedBy;
      delete state.errorType;
      await capturePaymentField({ callSid: this.deps.callSid, sessionSid: this.view.sessionSid!, field, idempotencyKey: `${key}/${field}/${state.attempts}` });
      await condition(() => !['asking', 'keying'].includes(state.state) || this.stopped() !== undefined);
      const stop = this.stopped();
      if (stop) return stop;
      // Set by apply() while we waited: TypeScript cannot see that.
      const settled = state.state as AgentFieldState;
      if (settled === 'entered') {
        if (this.reasks.has(field)) continue;
        return 'entered';
      }
      if (state.attempts >= maxFieldAttempts) return 'failed';
    }
  }

  private stopped(): 'cancelled' | 'abandoned' | undefined {
    if (this.deps.hungUp()) return 'abandoned';
    return this.cancelledBy ? 'cancelled' : undefined;
  }

  /** Ends the session early: cancelled by the operator, the caller gone, or a field that never came right. */
  private async stop(why: 'failed' | 'cancelled' | 'abandoned', key: string): Promise<AgentCaptureEnd> {
    if (why !== 'abandoned' && this.view.sessionSid) {
      await finishPaymentSession({ callSid: this.deps.callSid, sessionSid: this.view.sessionSid, idempotencyKey: `${key}/cancel`, status: 'cancel' }).catch(() => undefined); // already over
    }
    if (why === 'cancelled') {
      this.view.status = 'cancelled';
      this.view.problem = `Cancelled by ${this.cancelledBy}`;
      this.entry?.fail({ code: 'cancelled-by-operator', message: `${this.cancelledBy} cancelled the capture` }, { ...this.captureFacts(), operator: this.cancelledBy! });
      return 'cancelled';
    }
    if (why === 'abandoned') {
      this.view.status = 'abandoned';
      this.view.problem = 'The caller hung up';
      this.entry?.fail({ code: 'caller-hung-up', message: 'Caller hung up during the capture' }, this.captureFacts());
      return 'abandoned';
    }
    const failed = this.view.fields.find((f) => f.state !== 'entered');
    return this.fail(failed?.errorType ?? 'field-not-entered', `${failed?.field ?? 'a field'} was not entered after ${maxFieldAttempts} tries`);
  }

  private fail(code: string, message: string): AgentCaptureEnd {
    this.view.status = 'failed';
    this.view.problem = message;
    if (this.entry) this.deps.progress.fail(this.entry, { code, message, errorType: 'AgentCapture' }, this.captureFacts());
    return 'failed';
  }

  private async charge(paymentMethodId: string): Promise<AgentCaptureEnd> {
    this.view.status = 'charging';
    const { payments } = this.deps;
    const charged = await payments.charge(this.target, paymentMethodId, this.attempt, this.view.card, { via: 'operator', operator: this.operator });
    if (charged.kind === 'declined') {
      this.view.status = 'declined';
      this.view.problem = `${charged.decline.message} (${charged.decline.declineCode ?? charged.decline.code})`;
      if (charged.paymentIntentId) this.view.paymentIntentId = charged.paymentIntentId;
      return 'declined';
    }
    if (charged.kind === 'failed') {
      this.view.status = 'failed';
      this.view.problem = charged.failure.message;
      return 'failed';
    }
    this.view.paymentIntentId = charged.paymentIntentId;
    const settled = await payments.settle(this.target, charged.paymentIntentId);
    if (settled.kind === 'compensated') {
      this.view.status = 'failed';
      this.view.problem = settled.refundFailure ? 'Charged, the order could not be marked paid, and the refund failed: needs attention' : 'Charged, but the order could not be marked paid: the charge was refunded';
      return 'failed';
    }
    this.view.status = 'paid';
    this.view.confirmationCode = payments.confirmationCode;
    return 'paid';
  }

  private captureFacts() {
    return { fields: this.fieldFacts({}), ...(this.view.card ? { card: this.view.card } : {}), ...(this.view.sessionSid ? { paymentSessionSid: this.view.sessionSid } : {}) };
  }

  private fieldFacts(reasked: Partial<Record<AgentCaptureField, string>>) {
    const previous = this.entry?.record.fields ?? [];
    return this.view.fields.map((f) => {
      const reaskedBy = reasked[f.field] ?? previous.find((p) => p.field === f.field)?.reaskedBy;
      return { field: f.field, attempts: f.attempts, ...(f.errorType ? { errorType: f.errorType } : {}), ...(reaskedBy ? { reaskedBy } : {}) };
    });
  }
}
