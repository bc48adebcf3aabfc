/**
 * One phone call, greeting to goodbye: find the order, confirm the amount, capture a card
 * with `<Pay>`, charge it once, mark the order paid (or refund), say the confirmation code.
 * Deterministic: every side effect is an activity, every caller interaction a Turn. Each
 * step attempt is written to the call's step log (CallProgress), which operators read.
 */
import { allHandlersFinished, condition, patched, setHandler } from '@temporalio/workflow';
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
  type PayResult,
} from '../contract/call.js';
import { failureTypes } from '../contract/failure-types.js';
import type { Instruction } from '../contract/instructions.js';
import { operatorCommandUpdate, paymentStatusSignal } from '../contract/operator.js';
import { catalogFor } from '../i18n/catalog.js';
import { spokenAmount } from '../money/money.js';
import type { Order } from '../orders/order-book.js';
import { captureProblemOf, declineReasonOf, failureCodeOf, messageOf } from './activity-failures.js';
import { callActivities, type CallActivitySet } from './call-activities.js';
import { CallProgress } from './call-progress.js';
import { Conversation, type Answer } from './conversation.js';
import { OperatorLine } from './operator-line.js';
import { Payments, targetOf } from './payment.js';
import { askOrderNumber, capturePayment, gatherDigits, openingInstructions, say } from './instructions.js';
import type { StepHandle } from './step-log.js';

export const maxOrderEntryAttempts = 3;
export const maxMenuAttempts = 3;
export const maxCaptureAttempts = 3;

/** Pressing 0 (or repeated failures) connects the caller to an operator who may take the payment on the call. */
export const agentAssistedPatch = 'agent-assisted-payments';

/**
 * A leaner history for the same call: one call deadline instead of a timer per turn, the
 * order book and Stripe steps as local activities, search attributes only at the stages
 * operators filter by (and the first set by the web layer when it starts the call).
 */
export const leanCallPatch = 'lean-call-history';

export async function callWorkflow(input: CallInput): Promise<CallOutcome> {
  const conversation = new Conversation();
  const progress = new CallProgress();
  const lean = patched(leanCallPatch);
  if (lean) {
    conversation.startDeadline();
    progress.useVisibleStages();
  }
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
  // Agent-assisted: only while the caller is connected to an operator (the line exists).
  let line: OperatorLine | undefined;
  setHandler(operatorCommandUpdate, (command) => line!.command(command), {
    validator: (command) => {
      if (!line) throw new Error('the caller is not connected to an operator');
      line.validate(command);
    },
  });
  setHandler(paymentStatusSignal, (event) => line?.paymentStatus(event));
  setHandler(stateQuery, () => ({ ...progress.state, turn: conversation.turn }));

  const call = new CallDialogue(input, conversation, progress, callActivities(lean), (opened) => (line = opened));
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
  private readonly payments: Payments;

  constructor(
    private readonly input: CallInput,
    private readonly conversation: Conversation,
    private readonly progress: CallProgress,
    private readonly activities: CallActivitySet,
    private readonly onOperatorLine: (line: OperatorLine) => void,
  ) {
    this.text = catalogFor(input.locale);
    this.payments = new Payments(input, progress, activities);
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
    // The greeting is in the opening turn; later tries are prefaced by what went wrong.
    let preface: string[] = [];
    let failure: CallFailure = { step: 'order-entry', code: 'no-input', message: 'No order number entered' };
    for (let attempt = 1; attempt <= maxOrderEntryAttempts; attempt++) {
      this.progress.state.orderEntryAttempts = attempt;
      const entry = this.progress.begin('order-entry');
      // The opening turn is the one the web layer may already have answered the call with.
      const answer = attempt === 1 ? await this.conversation.ask(openingInstructions(this.locale)) : await this.ask(preface, askOrderNumber(this.locale));
      if (answer.kind === 'hung-up') return this.abandoned(entry, {}, answer.reason);
      const digits = answer.kind === 'digits' ? answer.digits.replace(/#$/, '') : '';
      const withheld = answer.kind === 'digits' ? answer.withheld : undefined;
      if (withheld === 'card-number') {
        failure = this.progress.fail(entry, { code: 'card-like-number', message: 'card-like number entered at order entry (redacted)' });
        preface = [this.text.cardNumberNotHere];
      } else if (withheld === 'too-long') {
        failure = this.progress.fail(entry, { code: 'order-number-too-long', message: 'Order number too long (not kept)' });
        preface = [this.text.orderTooLong];
      } else if (digits === '') {
        failure = this.progress.fail(entry, { code: 'no-input', message: 'No order number entered' });
        preface = [this.text.noInput];
      } else if (!/^[0-9]{1,20}$/.test(digits)) {
        failure = this.progress.fail(entry, { code: 'malformed-order-number', message: 'Order number contained non-digits' }, { input: digits });
        preface = [this.text.orderMalformed];
      } else {
        entry.running('lookupOrder', { input: digits });
        const looked = await this.lookUp(digits, entry);
        if ('outcome' in looked) return looked;
        const order = looked.order;
        if (order && order.status === 'unpaid') {
          entry.ok({ order: orderFactsOf(order) });
          return order;
        }
        failure = order
          ? this.progress.fail(entry, { code: 'order-already-paid', message: `Order ${digits} is already paid` })
          : this.progress.fail(entry, { code: 'order-not-found', message: `No order ${digits}` });
        preface = [order ? this.text.orderAlreadyPaid : this.text.orderNotFound(digits)];
      }
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
      const entry = this.progress.begin('amount-confirmation', { order: orderFactsOf(order) });
      const answer = await this.ask(preface, gatherDigits(this.text.menu(operatorAvailable), this.locale, { numDigits: 1 }));
      if (answer.kind === 'hung-up') return this.abandoned(entry, order, answer.reason);
      const choice = answer.kind === 'digits' ? answer.digits : '';
      const withheld = answer.kind === 'digits' ? answer.withheld : undefined;
      if (withheld) {
        invalidChoices++;
        const failure = this.progress.fail(
          entry,
          withheld === 'card-number'
            ? { code: 'card-like-number', message: 'card-like number entered at the menu (redacted)' }
            : { code: 'invalid-choice', message: 'Menu input too long (not kept)' },
        );
        if (invalidChoices >= maxMenuAttempts) return this.giveUp(failure, this.text.menuGaveUp, order);
        preface = [withheld === 'card-number' ? this.text.cardNumberNotHere : this.text.invalidChoice];
        continue;
      }
      if (choice === '1') return this.stillUnpaid(order, entry);
      if (choice === '2') {
        entry.info('repeat', { input: choice });
        preface = [summary];
        continue;
      }
      if (choice === '0' && operatorAvailable) {
        entry.info('caller-asked-for-operator', { input: choice });
        return this.transfer({ step: 'amount-confirmation', code: 'caller-asked-for-operator', message: 'Caller pressed 0' }, order);
      }
      invalidChoices++;
      const failure = this.progress.fail(entry, { code: choice ? 'invalid-choice' : 'no-input', message: `Menu input "${choice}"` }, choice ? { input: choice } : {});
      if (invalidChoices >= maxMenuAttempts) return this.giveUp(failure, this.text.menuGaveUp, order);
      preface = [choice ? this.text.invalidChoice : this.text.noInput];
    }
  }

  /**
   * Another call may have paid the order while this caller listened: look again before
   * taking a card (a race past this point is caught by markOrderPaid and refunded).
   */
  private async stillUnpaid(order: Order, entry: StepHandle): Promise<CallOutcome | undefined> {
    entry.running('lookupOrder', { input: '1' });
    const looked = await this.lookUp(order.orderId, entry, order);
    if ('outcome' in looked) return looked;
    const current = looked.order;
    if (current?.status === 'unpaid') {
      entry.ok({ code: 'confirmed' });
      return undefined;
    }
    const failure = this.progress.fail(entry, { code: 'order-already-paid', message: `Order ${order.orderId} was paid meanwhile` });
    return this.giveUp(failure, `${this.text.orderAlreadyPaid} ${this.text.goodbye}`, order);
  }

  /** The order book after Temporal's retries: an order (or null), or the call ends politely when it cannot answer. */
  private async lookUp(orderId: string, entry: StepHandle, order: Partial<Order> = {}): Promise<{ order: Order | null } | CallOutcome> {
    try {
      return { order: await this.activities.lookupOrder(orderId) };
    } catch (err) {
      const failure = this.progress.fail(entry, { errorType: failureCodeOf(err), code: failureCodeOf(err), message: messageOf(err) });
      return this.giveUp(failure, this.text.ordersUnavailable, order);
    }
  }

  /** Steps 4–6: capture, charge, mark paid, receipt, confirmation. */
  private async takePayment(order: Order): Promise<CallOutcome> {
    const target = targetOf(order);
    void this.payments.confirmationCode; // chosen before the first capture, as calls always did
    let preface: string[] = [];
    let failure: CallFailure | undefined;
    let declined = false;

    while (this.captureAttempts < maxCaptureAttempts) {
      this.captureAttempts++;
      this.progress.state.captureAttempts = this.captureAttempts;
      this.progress.enter('card-capture');
      const capture = this.progress.begin('card-capture', { via: 'keypad' }, this.captureAttempts);
      const answer = await this.ask(preface, capturePayment({ currency: order.currency, description: order.description, locale: this.locale, ...(this.input.pay ? { options: this.input.pay } : {}) }));
      if (answer.kind === 'hung-up') return this.abandoned(capture, order, answer.reason);
      if (answer.kind !== 'pay-result') throw new Error('unreachable: the validator admits only pay results for a <Pay> turn');
      const pay = answer.event.pay;
      const card = cardFactsOf(pay);
      if (pay.result === 'caller-hung-up') return this.abandoned(capture, order, 'caller-hung-up', { errorType: '<Pay>', card });
      if (pay.result !== 'success' || !pay.paymentToken) {
        declined = false;
        failure = this.progress.fail(capture, { code: pay.result, errorType: '<Pay>', message: pay.paymentError ?? pay.connectorError ?? `<Pay> ended with ${pay.result}` }, { card });
        preface = [this.text.captureProblem(captureProblemOf(pay.result)), this.text.tryAnotherCard];
        continue;
      }
      capture.ok({ paymentMethodId: pay.paymentToken, card });

      const charge = await this.payments.charge(target, pay.paymentToken, this.captureAttempts, card);
      if (charge.kind === 'succeeded') return this.completePaidOrder(order, charge.paymentIntentId);
      failure = charge.failure;
      if (charge.kind === 'failed') return this.giveUp(failure, failure.code === failureTypes.stripeMotoNotEnabled ? this.text.cardPaymentsUnavailable : this.text.chargeUnavailable, order);
      declined = true;
      preface = [this.text.declined(declineReasonOf(charge.decline)), this.text.tryAnotherCard];
    }
    const finalFailure = failure ?? { step: 'card-capture' as const, code: 'no-capture', message: 'No card captured' };
    return this.giveUp(finalFailure, this.text.captureGaveUp, order, declined ? 'declined' : 'failed', this.payments.declinedIntentId);
  }

  private async completePaidOrder(order: Order, paymentIntentId: string): Promise<CallOutcome> {
    const confirmationCode = this.payments.confirmationCode;
    const base = { orderId: order.orderId, amount: order.amount, currency: order.currency, paymentIntentId, captureAttempts: this.captureAttempts };
    const settled = await this.payments.settle(targetOf(order), paymentIntentId);
    if (settled.kind === 'compensated') {
      if (settled.refundFailure) {
        await this.end([say(this.text.paymentNeedsAttention, this.locale), { kind: 'hangup' }]);
        return { outcome: 'failed', ...base, failure: settled.refundFailure, steps: this.steps };
      }
      await this.end([say(this.text.refunded, this.locale), { kind: 'hangup' }]);
      return { outcome: 'compensated', ...base, failure: settled.failure, steps: this.steps };
    }
    this.progress.enter('confirmation');
    this.progress.begin('confirmation').ok();
    await this.end([say(this.text.paid(confirmationCode), this.locale), { kind: 'hangup' }]);
    return { outcome: 'paid', ...base, confirmationCode, steps: this.steps };
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
    return { outcome, ...orderFacts(order), ...(paymentIntentId ? { paymentIntentId } : {}), captureAttempts: this.captureAttempts, failure, steps: this.steps };
  }

  private async transfer(reason: CallFailure, order: Partial<Order>): Promise<CallOutcome> {
    // Calls that began before agent-assisted payments replay the plain transfer below.
    if (patched(agentAssistedPatch)) {
      const line = new OperatorLine({
        input: this.input,
        conversation: this.conversation,
        progress: this.progress,
        payments: this.payments,
        text: this.text,
        nextCaptureAttempt: () => ++this.captureAttempts,
      });
      this.onOperatorLine(line);
      return line.run(reason, order);
    }
    await this.end([say(this.text.transferring, this.locale), { kind: 'transfer', to: this.input.operatorNumber ?? '' }]);
    return { outcome: 'transferred', ...orderFacts(order), captureAttempts: this.captureAttempts, failure: reason, steps: this.steps };
  }

  /** The caller is gone: the step they were in ends failed, and so does the call. */
  private abandoned(
    entry: StepHandle,
    order: Partial<Order> = {},
    reason: 'caller-hung-up' | 'no-response' = 'caller-hung-up',
    facts: { errorType?: string; card?: ReturnType<typeof cardFactsOf> } = {},
  ): CallOutcome {
    const step = entry.record.step;
    const message = reason === 'caller-hung-up' ? `Caller hung up during ${step}` : `No callback from Twilio during ${step}: the call is gone`;
    entry.fail({ code: reason, message, ...(facts.errorType ? { errorType: facts.errorType } : {}) }, facts.card ? { card: facts.card } : {});
    return { outcome: 'abandoned', ...orderFacts(order), captureAttempts: this.captureAttempts, failure: { step, code: reason, message }, steps: this.steps };
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

  private get steps() {
    return this.progress.state.steps;
  }
}

function orderFacts(order: Partial<Order>): Pick<CallOutcome, 'orderId' | 'amount' | 'currency'> {
  return order.orderId ? { orderId: order.orderId, amount: order.amount, currency: order.currency } : {};
}

function orderFactsOf(order: Order): { orderId: string; amount: number; currency: string; description: string } {
  return { orderId: order.orderId, amount: order.amount, currency: order.currency, description: order.description };
}

/** The masked card facts `<Pay>` returned: brand, last four, expiry, masked postal code. */
function cardFactsOf(pay: PayResult): { brand?: string; last4?: string; expiry?: string; postalCode?: string } | undefined {
  const last4 = pay.paymentCardNumber?.match(/(\d{4})\s*$/)?.[1];
  const card = { ...(pay.paymentCardType ? { brand: pay.paymentCardType } : {}), ...(last4 ? { last4 } : {}), ...(pay.expirationDate ? { expiry: pay.expirationDate } : {}), ...(pay.postalCode ? { postalCode: pay.postalCode } : {}) };
  return Object.keys(card).length ? card : undefined;
}
