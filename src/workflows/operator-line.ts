/**
 * The caller connected to an operator (`<Dial>` with an action URL): the call stays in the
 * workflow while they talk. The operator steers from the console (Update `operatorCommand`:
 * start a card capture on the live call, re-ask a field, cancel, end the call); Twilio's
 * Payments callbacks (signal `paymentStatus`) report progress. A capture that pays goes
 * through the same charge path as the keypad. Every command is in the step log, with the
 * operator's name.
 */
import { condition, proxyActivities } from '@temporalio/workflow';
import type { LiveCallActivities } from '../activities/types.js';
import { terminalCallStatuses, type CallFailure, type CallInput, type CallOutcome } from '../contract/call.js';
import { agentCaptureFields, type OperatorCommand, type OperatorCommandResult, type OperatorLineState, type PaymentStatusEvent } from '../contract/operator.js';
import type { Catalog } from '../i18n/catalog.js';
import { isSupportedCurrency } from '../money/money.js';
import type { Order } from '../orders/order-book.js';
import { orderBookActivityOptions } from './activity-options.js';
import { AgentCapture, type AgentCaptureEnd } from './agent-capture.js';
import { failureCodeOf, messageOf } from './activity-failures.js';
import type { CallProgress } from './call-progress.js';
import type { Answer, Conversation } from './conversation.js';
import { say } from './instructions.js';
import { targetOf, type ChargeTarget, type Payments } from './payment.js';

const { endLiveCall } = proxyActivities<LiveCallActivities>(orderBookActivityOptions);

/** How long an operator call may last (Twilio's `<Dial timeLimit>`). */
const operatorCallLimit = '4 hours';
/** How long to ring the operator. */
const ringSeconds = 30;

export interface OperatorLineDeps {
  input: CallInput;
  conversation: Conversation;
  progress: CallProgress;
  payments: Payments;
  text: Catalog;
  /** The next capture attempt number of the call (keypad and operator captures share it). */
  nextCaptureAttempt(): number;
}

export class OperatorLine {
  readonly state: OperatorLineState;
  private readonly commands: OperatorCommand[] = [];
  private readonly seenCallbacks = new Set<string>();
  private capture: AgentCapture | undefined;
  private captureRun: Promise<AgentCaptureEnd> | undefined;
  private captureEnded = false;
  private paid: { capture: AgentCapture; paymentIntentId: string } | undefined;
  private lastDecline: CallFailure | undefined;
  /** Between a start-capture command and its capture running (the order is being looked up). */
  private starting = false;

  constructor(private readonly deps: OperatorLineDeps) {
    this.state = { connectedAt: new Date().toISOString(), operatorNumber: deps.input.operatorNumber ?? '', captures: [] };
  }

  /** Update validator: refuses, before anything is recorded, what the line cannot do now. */
  validate(command: OperatorCommand): void {
    if (!/^[A-Za-z0-9 ._@-]{1,64}$/.test(command.operator)) throw new Error('operator must be a name (letters, digits, space, . _ @ -; at most 64)');
    // A start already queued counts as running: a double click starts one capture.
    const running = (this.capture?.running ?? false) || this.commands.some((c) => c.kind === 'start-capture') || this.starting;
    if (command.kind === 'start-capture') {
      if (running) throw new Error('a card capture is already in progress: cancel it first');
      if (this.paid) throw new Error('this call has already paid');
      const charge = command.charge;
      if ('amount' in charge) {
        if (!Number.isSafeInteger(charge.amount) || charge.amount <= 0) throw new Error('amount must be a positive whole number of minor units');
        if (!isSupportedCurrency(charge.currency)) throw new Error(`currency ${charge.currency} is not supported`);
        if (!charge.description.trim() || charge.description.length > 1000) throw new Error('description must be 1 to 1000 characters');
      } else if (!/^[0-9]{1,30}$/.test(charge.orderId)) {
        throw new Error('orderId must be the order number (digits)');
      }
    } else if (command.kind === 'reask') {
      if (!running || !this.capture?.view.sessionSid) throw new Error('no card capture is in progress');
      if (!(agentCaptureFields as readonly string[]).includes(command.field)) throw new Error(`field must be one of ${agentCaptureFields.join(', ')}`);
    } else if (command.kind === 'cancel-capture') {
      if (!running) throw new Error('no card capture is in progress');
    }
  }

  /** Update handler: queues the command for the line's loop and answers with where the capture stands. */
  command(command: OperatorCommand): OperatorCommandResult {
    this.commands.push(command);
    return { accepted: true, ...(this.capture ? { capture: this.capture.view } : {}) };
  }

  /** Signal handler: one Payments status callback, applied once. */
  paymentStatus(event: PaymentStatusEvent): void {
    if (this.seenCallbacks.has(event.callbackId)) return;
    this.seenCallbacks.add(event.callbackId);
    this.capture?.apply(event);
  }

  /** Connects the caller and runs the line until the call or the operator's leg ends. */
  async run(reason: CallFailure, order: Partial<Order>): Promise<CallOutcome> {
    const { progress, conversation, text, input } = this.deps;
    progress.state.operatorLine = this.state;
    progress.enter('with-operator');
    const entry = progress.begin('with-operator', { code: reason.code, ...(order.orderId ? { order: orderFactsOf(order) } : {}) });
    let dial: Answer | undefined;
    void conversation
      .ask([say(text.transferring, input.locale), { kind: 'connect-operator', to: input.operatorNumber ?? '', timeoutSeconds: ringSeconds, ...(order.orderId ? { orderId: order.orderId } : {}) }], operatorCallLimit)
      .then((answer) => (dial = answer));

    let endedBy: string | undefined;
    for (;;) {
      await condition(() => dial !== undefined || this.commands.length > 0 || this.captureEnded);
      if (this.captureEnded) await this.settleCapture();
      const command = this.commands.shift();
      if (command) {
        endedBy = await this.handle(command);
        if (endedBy) break;
        continue;
      }
      if (dial) break;
    }
    // Twilio requests the <Dial> action when the caller hangs up too (their call then `completed`).
    if (dial?.kind === 'dial-ended' && dial.callStatus && (terminalCallStatuses as readonly string[]).includes(dial.callStatus)) conversation.hungUp = true;
    const callerLeft = conversation.hungUp;
    await this.stopCapture(endedBy ?? 'the call ended');

    const paidCode = this.paid ? this.deps.payments.confirmationCode : undefined;
    if (endedBy) {
      // The operator ended it: the caller leaves the <Dial>, hears the last word, and the call ends.
      await endLiveCall({ callSid: input.callSid, text: paidCode ? text.paidWithOperator(paidCode) : text.goodbye, locale: input.locale }).catch(() => undefined);
      entry.ok({ code: 'ended-by-operator', operator: endedBy });
      await condition(() => conversation.hungUp || dial !== undefined, '1 minute');
    } else if (dial?.kind === 'dial-ended' && !callerLeft) {
      const answered = dial.dialCallStatus === 'completed' || dial.dialCallStatus === 'answered';
      if (answered) entry.ok({ code: 'operator-hung-up' });
      else progress.fail(entry, { code: `operator-${dial.dialCallStatus}`, message: `No operator answered (${dial.dialCallStatus})` });
      const last = paidCode ? text.paidWithOperator(paidCode) : answered ? text.goodbye : text.operatorUnavailable;
      await conversation.finish([say(last, input.locale), { kind: 'hangup' }]);
    } else {
      entry.ok({ code: 'caller-hung-up' });
    }
    return this.outcome(reason, order, callerLeft);
  }

  /** Runs one operator command; returns the operator's name when the command ends the call. */
  private async handle(command: OperatorCommand): Promise<string | undefined> {
    if (command.kind === 'end-call') return command.operator;
    if (command.kind === 'reask') this.capture?.reask(command.field, command.operator);
    else if (command.kind === 'cancel-capture') this.capture?.cancel(command.operator);
    else await this.startCapture(command);
    return undefined;
  }

  private async startCapture(command: Extract<OperatorCommand, { kind: 'start-capture' }>): Promise<void> {
    this.starting = true;
    const target = await this.targetOf(command.charge).finally(() => {
      this.starting = false;
    });
    const capture = new AgentCapture(this.deps.nextCaptureAttempt(), command.operator, target ?? { amount: 0, currency: 'usd', description: '' }, {
      callSid: this.deps.input.callSid,
      progress: this.deps.progress,
      payments: this.deps.payments,
      hungUp: () => this.deps.conversation.hungUp,
      ...(this.deps.input.pay ? { validCardTypes: this.deps.input.pay.validCardTypes } : {}),
    });
    this.capture = capture;
    this.state.capture = capture.view;
    this.state.captures.push(capture.view);
    if (!target) {
      capture.view.status = 'failed';
      capture.view.problem = `Order ${'orderId' in command.charge ? command.charge.orderId : ''} cannot be paid now (unknown, already paid, or the order book did not answer)`;
      return;
    }
    this.captureEnded = false;
    this.captureRun = capture.run().finally(() => {
      this.captureEnded = true;
    });
  }

  /** The order to charge (looked up again: it may have been paid meanwhile), or the amount the operator entered. */
  private async targetOf(charge: Extract<OperatorCommand, { kind: 'start-capture' }>['charge']): Promise<ChargeTarget | undefined> {
    if ('amount' in charge) return { amount: charge.amount, currency: charge.currency.toLowerCase(), description: charge.description };
    const entry = this.deps.progress.begin('order-entry', { input: charge.orderId, activity: 'lookupOrder', via: 'operator' });
    try {
      const found = await this.deps.payments.activities.lookupOrder(charge.orderId);
      if (found?.status === 'unpaid') {
        entry.ok({ order: orderFactsOf(found) });
        return targetOf(found);
      }
      this.deps.progress.fail(entry, found ? { code: 'order-already-paid', message: `Order ${charge.orderId} is already paid` } : { code: 'order-not-found', message: `No order ${charge.orderId}` });
    } catch (err) {
      this.deps.progress.fail(entry, { errorType: failureCodeOf(err), code: failureCodeOf(err), message: messageOf(err) });
    }
    return undefined;
  }

  private async settleCapture(): Promise<void> {
    this.captureEnded = false;
    const end = await this.captureRun;
    this.captureRun = undefined;
    const capture = this.capture;
    if (!capture) return;
    if (end === 'paid' && capture.view.paymentIntentId) this.paid = { capture, paymentIntentId: capture.view.paymentIntentId };
    if (end === 'declined') {
      const charge = [...this.deps.progress.state.steps].reverse().find((s) => s.step === 'charge' && s.status === 'failed');
      this.lastDecline = { step: 'charge', code: charge?.declineCode ?? charge?.code ?? 'card_declined', message: charge?.message ?? capture.view.problem ?? 'declined' };
    }
  }

  /** Before the line ends: a capture still running is cancelled (or sees the caller gone) and settles. */
  private async stopCapture(by: string): Promise<void> {
    if (this.capture?.running) this.capture.cancel(by);
    if (this.captureRun) await this.settleCapture();
  }

  /** `callerLeft`: the caller hung up while on the line (not after the operator ended the call). */
  private outcome(reason: CallFailure, order: Partial<Order>, callerLeft: boolean): CallOutcome {
    const steps = this.deps.progress.state.steps;
    const captureAttempts = this.deps.progress.state.captureAttempts;
    if (this.paid) {
      const v = this.paid.capture.view;
      return { outcome: 'paid', ...(v.orderId ? { orderId: v.orderId } : {}), amount: v.amount, currency: v.currency, paymentIntentId: this.paid.paymentIntentId, confirmationCode: this.deps.payments.confirmationCode, captureAttempts, steps };
    }
    const facts = order.orderId ? { orderId: order.orderId, amount: order.amount, currency: order.currency } : {};
    if (callerLeft) {
      return { outcome: 'abandoned', ...facts, captureAttempts, failure: { step: 'with-operator', code: 'caller-hung-up', message: 'Caller hung up while with an operator' }, steps };
    }
    if (this.lastDecline) return { outcome: 'declined', ...facts, captureAttempts, failure: this.lastDecline, steps };
    return { outcome: 'transferred', ...facts, captureAttempts, failure: reason, steps };
  }
}

function orderFactsOf(order: Partial<Order>) {
  return { orderId: order.orderId ?? '', amount: order.amount ?? 0, currency: order.currency ?? '', description: order.description ?? '' };
}
