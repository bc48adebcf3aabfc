/**
 * One phone call, greeting to goodbye: find the order, confirm the amount, capture a card
 * with `<Pay>`, charge it once, mark the order paid (or refund), say the confirmation code.
 * Deterministic: every side effect is an activity, every caller interaction a Turn.
 */
import {
  CancellationScope,
  allHandlersFinished,
  condition,
  log,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { CallActivities, ChargeCardResult } from '../activities/types.js';
import {
  callStatusSignal,
  callerEventUpdate,
  payProgressSignal,
  stateQuery,
  terminalCallStatuses,
  type CallFailure,
  type CallInput,
  type CallOutcome,
  type CallOutcomeKind,
  type CallStep,
} from '../contract/call.js';
import { nonRetryableFailureTypes } from '../contract/failure-types.js';
import type { Instruction } from '../contract/instructions.js';
import { catalogFor } from '../i18n/catalog.js';
import { spokenAmount } from '../money/money.js';
import type { Order } from '../orders/order-book.js';
import { captureProblemOf, cardDeclineOf, declineReasonOf, failureCodeOf, messageOf } from './activity-failures.js';
import { CallProgress } from './call-progress.js';
import { Conversation, type Answer } from './conversation.js';
import { capturePayment, gatherDigits, say } from './instructions.js';

export const maxOrderEntryAttempts = 3;
export const maxMenuAttempts = 3;
export const maxCaptureAttempts = 3;

/** Order book and receipt: quick, retried with backoff for about a minute. */
const { lookupOrder, markOrderPaid, sendReceipt } = proxyActivities<CallActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 8, nonRetryableErrorTypes: nonRetryableFailureTypes },
});

/** Stripe: transient failures retried with the same idempotency key, declines never. */
const { chargeCard, refundPayment } = proxyActivities<CallActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 8, nonRetryableErrorTypes: nonRetryableFailureTypes },
});

export async function callWorkflow(input: CallInput): Promise<CallOutcome> {
  const conversation = new Conversation();
  const progress = new CallProgress();
  setHandler(callerEventUpdate, (event) => conversation.handle(event), {
    validator: (event) => {
      if (event.kind !== 'start' && !(Number.isInteger(event.turn) && event.turn > 0)) throw new Error('event.turn must be a positive integer');
      if (event.kind === 'digits' && !/^[0-9*#]*$/.test(event.digits)) throw new Error('digits must be keypad characters');
      conversation.validate(event);
    },
  });
  setHandler(callStatusSignal, ({ callStatus }) => {
    if ((terminalCallStatuses as readonly string[]).includes(callStatus)) {
      conversation.hungUp = true;
      progress.state.hungUp = true;
    }
  });
  setHandler(payProgressSignal, (p) => progress.recordPayProgress(p));
  setHandler(stateQuery, () => ({ ...progress.state, turn: conversation.turn }));

  const call = new CallDialogue(input, conversation, progress);
  const outcome = await call.run();
  progress.finish(outcome);
  // Every path ends with a final turn, so no pending webhook waits for one that never comes.
  await conversation.finish([{ kind: 'hangup' }]);
  await condition(allHandlersFinished);
  return outcome;
}

class CallDialogue {
  private readonly text;
  private captureAttempts = 0;

  constructor(
    private readonly input: CallInput,
    private readonly conversation: Conversation,
    private readonly progress: CallProgress,
  ) {
    this.text = catalogFor(input.locale);
  }

  async run(): Promise<CallOutcome> {
    const order = await this.findOrder();
    if ('outcome' in order) return order;
    this.progress.orderFound(order);

    const choice = await this.confirmAmount(order);
    if (choice) return choice;

    return this.takePayment(order);
  }

  /** Steps 1–2: greeting, order number, up to three tries. */
  private async findOrder(): Promise<Order | CallOutcome> {
    this.progress.enter('order-entry');
    let preface: string[] = [this.text.greeting];
    let failure: CallFailure = { step: 'order-entry', code: 'no-input', message: 'No order number entered' };
    for (let attempt = 1; attempt <= maxOrderEntryAttempts; attempt++) {
      this.progress.state.orderEntryAttempts = attempt;
      const answer = await this.ask(preface, gatherDigits(this.text.askOrderNumber, this.locale, { finishOnKey: '#' }));
      if (answer.kind === 'hung-up') return this.abandoned('order-entry', {}, answer.reason);
      const digits = answer.kind === 'digits' ? answer.digits.replace(/#$/, '') : '';
      if (digits === '') {
        failure = { step: 'order-entry', code: 'no-input', message: 'No order number entered' };
        preface = [this.text.noInput];
      } else if (!/^[0-9]{1,20}$/.test(digits)) {
        failure = { step: 'order-entry', code: 'malformed-order-number', message: 'Order number contained non-digits' };
        preface = [this.text.orderMalformed];
      } else {
        const order = await lookupOrder(digits);
        if (order && order.status === 'unpaid') return order;
        failure = order
          ? { step: 'order-entry', code: 'order-already-paid', message: `Order ${digits} is already paid` }
          : { step: 'order-entry', code: 'order-not-found', message: `No order ${digits}` };
        preface = [order ? this.text.orderAlreadyPaid : this.text.orderNotFound(digits)];
      }
      this.progress.recordError(failure);
    }
    return this.giveUp(failure, this.text.orderEntryGaveUp, {});
  }

  /** Step 3: say what is owed; 1 pays, 2 repeats, 0 asks for an operator. */
  private async confirmAmount(order: Order): Promise<CallOutcome | undefined> {
    this.progress.enter('amount-confirmation');
    const summary = this.text.describeOrder({
      orderId: order.orderId,
      description: order.description,
      spokenAmount: spokenAmount(order.amount, order.currency, this.locale),
    });
    const operatorAvailable = Boolean(this.input.operatorNumber);
    let preface = [summary];
    let invalidChoices = 0;
    for (;;) {
      const answer = await this.ask(preface, gatherDigits(this.text.menu(operatorAvailable), this.locale, { numDigits: 1 }));
      if (answer.kind === 'hung-up') return this.abandoned('amount-confirmation', order, answer.reason);
      const choice = answer.kind === 'digits' ? answer.digits : '';
      if (choice === '1') return this.stillUnpaid(order);
      if (choice === '2') {
        preface = [summary];
        continue;
      }
      if (choice === '0' && operatorAvailable) {
        return this.transfer({ step: 'amount-confirmation', code: 'caller-asked-for-operator', message: 'Caller pressed 0' }, order);
      }
      invalidChoices++;
      const failure: CallFailure = { step: 'amount-confirmation', code: choice ? 'invalid-choice' : 'no-input', message: `Menu input "${choice}"` };
      this.progress.recordError(failure);
      if (invalidChoices >= maxMenuAttempts) return this.giveUp(failure, this.text.menuGaveUp, order);
      preface = [choice ? this.text.invalidChoice : this.text.noInput];
    }
  }

  /**
   * Another call may have paid the order while this caller listened: look again before
   * taking a card (a race past this point is caught by markOrderPaid and refunded).
   */
  private async stillUnpaid(order: Order): Promise<CallOutcome | undefined> {
    const current = await lookupOrder(order.orderId);
    if (current?.status === 'unpaid') return undefined;
    const failure: CallFailure = { step: 'amount-confirmation', code: 'order-already-paid', message: `Order ${order.orderId} was paid meanwhile` };
    this.progress.recordError(failure);
    return this.giveUp(failure, `${this.text.orderAlreadyPaid} ${this.text.goodbye}`, order);
  }

  /** Steps 4–6: capture, charge, mark paid, receipt, confirmation. */
  private async takePayment(order: Order): Promise<CallOutcome> {
    // Chosen once, before the first charge, so every Stripe retry carries the same metadata.
    const confirmationCode = String(Math.floor(100000 + Math.random() * 900000));
    let preface: string[] = [];
    let failure: CallFailure | undefined;
    let declined = false;
    let paymentIntentId: string | undefined;

    while (this.captureAttempts < maxCaptureAttempts) {
      this.captureAttempts++;
      this.progress.state.captureAttempts = this.captureAttempts;
      this.progress.enter('card-capture');
      const answer = await this.ask(preface, capturePayment({ currency: order.currency, description: order.description, locale: this.locale }));
      if (answer.kind === 'hung-up') return this.abandoned('card-capture', order, answer.reason);
      if (answer.kind !== 'pay-result') throw new Error('unreachable: the validator admits only pay results for a <Pay> turn');
      const pay = answer.event.pay;
      if (pay.result === 'caller-hung-up') return this.abandoned('card-capture', order);
      if (pay.result !== 'success' || !pay.paymentToken) {
        declined = false;
        failure = { step: 'card-capture', code: pay.result, message: pay.paymentError ?? `<Pay> ended with ${pay.result}` };
        this.progress.recordError(failure);
        preface = [this.text.captureProblem(captureProblemOf(pay.result)), this.text.tryAnotherCard];
        continue;
      }

      this.progress.enter('charge');
      try {
        const charge: ChargeCardResult = await chargeCard({
          callSid: this.input.callSid,
          orderId: order.orderId,
          amount: order.amount,
          currency: order.currency,
          description: order.description,
          paymentMethodId: pay.paymentToken,
          captureAttempt: this.captureAttempts,
          confirmationCode,
          idempotencyKey: `call-${this.input.callSid}/charge/${this.captureAttempts}`,
          ...(paymentIntentId ? { paymentIntentId } : {}),
        });
        this.progress.state.paymentIntentId = charge.paymentIntentId;
        return this.completePaidOrder(order, charge.paymentIntentId, confirmationCode);
      } catch (err) {
        const decline = cardDeclineOf(err);
        if (!decline) {
          failure = { step: 'charge', code: failureCodeOf(err), message: messageOf(err) };
          this.progress.recordError(failure);
          return this.giveUp(failure, this.text.chargeUnavailable, order);
        }
        declined = true;
        paymentIntentId = decline.paymentIntentId ?? paymentIntentId;
        if (paymentIntentId) this.progress.state.paymentIntentId = paymentIntentId;
        failure = { step: 'charge', code: decline.declineCode ?? decline.code, message: decline.message };
        this.progress.recordError(failure);
        preface = [this.text.declined(declineReasonOf(decline)), this.text.tryAnotherCard];
      }
    }
    const finalFailure = failure ?? { step: 'card-capture' as const, code: 'no-capture', message: 'No card captured' };
    return this.giveUp(finalFailure, this.text.captureGaveUp, order, declined ? 'declined' : 'failed', paymentIntentId);
  }

  private async completePaidOrder(order: Order, paymentIntentId: string, confirmationCode: string): Promise<CallOutcome> {
    const paid = { orderId: order.orderId, amount: order.amount, currency: order.currency, paymentIntentId, confirmationCode };
    this.progress.enter('mark-paid');
    try {
      await markOrderPaid({ orderId: order.orderId, paymentIntentId });
    } catch (err) {
      const failure: CallFailure = { step: 'mark-paid', code: failureCodeOf(err), message: messageOf(err) };
      this.progress.recordError(failure);
      return this.compensate(order, paymentIntentId, failure);
    }

    if (this.input.receiptTo) {
      this.progress.enter('receipt');
      try {
        await sendReceipt({ callSid: this.input.callSid, to: this.input.receiptTo, locale: this.locale, ...paid });
      } catch (err) {
        // A lost receipt must not undo a good payment; it stays visible to operators.
        this.progress.recordError({ step: 'receipt', code: failureCodeOf(err), message: messageOf(err) });
        log.warn('Receipt not sent', { error: messageOf(err) });
      }
    }

    this.progress.enter('confirmation');
    await this.end([say(this.text.paid(confirmationCode), this.locale), { kind: 'hangup' }]);
    return { outcome: 'paid', captureAttempts: this.captureAttempts, ...paid };
  }

  /** The charge went through but the order cannot be marked paid: give the money back. */
  private async compensate(order: Order, paymentIntentId: string, failure: CallFailure): Promise<CallOutcome> {
    this.progress.enter('refund');
    const base = { orderId: order.orderId, amount: order.amount, currency: order.currency, paymentIntentId, captureAttempts: this.captureAttempts };
    try {
      await CancellationScope.nonCancellable(() =>
        refundPayment({
          paymentIntentId,
          reason: 'requested_by_customer',
          idempotencyKey: `call-${this.input.callSid}/refund/${paymentIntentId}`,
          metadata: { call_sid: this.input.callSid, order_id: order.orderId, cause: failure.code },
        }),
      );
    } catch (err) {
      const refundFailure: CallFailure = { step: 'refund', code: failureCodeOf(err), message: messageOf(err) };
      this.progress.recordError(refundFailure);
      await this.end([say(this.text.paymentNeedsAttention, this.locale), { kind: 'hangup' }]);
      return { outcome: 'failed', ...base, failure: refundFailure };
    }
    await this.end([say(this.text.refunded, this.locale), { kind: 'hangup' }]);
    return { outcome: 'refunded', ...base, failure };
  }

  private async giveUp(
    failure: CallFailure,
    goodbye: string,
    order: Partial<Order>,
    outcome: CallOutcomeKind = 'failed',
    paymentIntentId?: string,
  ): Promise<CallOutcome> {
    if (this.input.operatorNumber && failure.step !== 'charge') return this.transfer(failure, order);
    await this.end([say(goodbye, this.locale), { kind: 'hangup' }]);
    return { outcome, ...orderFacts(order), ...(paymentIntentId ? { paymentIntentId } : {}), captureAttempts: this.captureAttempts, failure };
  }

  private async transfer(reason: CallFailure, order: Partial<Order>): Promise<CallOutcome> {
    await this.end([say(this.text.transferring, this.locale), { kind: 'transfer', to: this.input.operatorNumber ?? '' }]);
    return { outcome: 'transferred', ...orderFacts(order), captureAttempts: this.captureAttempts, failure: reason };
  }

  private abandoned(step: CallStep, order: Partial<Order> = {}, reason: 'caller-hung-up' | 'no-response' = 'caller-hung-up'): CallOutcome {
    const message = reason === 'caller-hung-up' ? `Caller hung up during ${step}` : `No callback from Twilio during ${step}: the call is gone`;
    return { outcome: 'abandoned', ...orderFacts(order), captureAttempts: this.captureAttempts, failure: { step, code: reason, message } };
  }

  private ask(preface: string[], prompt: Instruction): Promise<Answer> {
    return this.conversation.ask([...preface.map((text) => say(text, this.locale)), prompt]);
  }

  private async end(instructions: Instruction[]): Promise<void> {
    await this.conversation.finish(instructions);
  }

  private get locale() {
    return this.input.locale;
  }
}

function orderFacts(order: Partial<Order>): Pick<CallOutcome, 'orderId' | 'amount' | 'currency'> {
  return order.orderId ? { orderId: order.orderId, amount: order.amount, currency: order.currency } : {};
}
