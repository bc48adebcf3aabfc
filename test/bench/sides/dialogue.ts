/**
 * The benchmark's two reference sides speak paycall's happy-path dialogue with the same
 * prompts: greeting and order number, the amount and the menu, `<Pay>`, the confirmation
 * code. Built from paycall's own instruction builders and catalog, so the TwiML they render
 * is paycall's. Pure (no Node imports): the minimal durable call runs it inside its workflow.
 *
 * The side resolves what the dialogue cannot (which order the digits name, whether the
 * charge went through) and reports it as a Step; `advance` answers with the next Turn.
 */
import type { Locale, Turn } from '../../../src/contract/instructions.js';
import { catalogFor } from '../../../src/i18n/catalog.js';
import { spokenAmount } from '../../../src/money/money.js';
import { capturePayment, gatherDigits, say } from '../../../src/workflows/instructions.js';

export interface BenchOrder {
  orderId: string;
  amount: number;
  currency: string;
  description: string;
}

export type DialogueStage = 'greeting' | 'order-entry' | 'menu' | 'card-capture' | 'done';

export interface DialogueState {
  stage: DialogueStage;
  turn: number;
  locale: Locale;
  order?: BenchOrder;
  /** `<Pay>` attempts so far: the charge's idempotency key names the attempt. */
  captureAttempts: number;
  confirmationCode?: string;
}

/** What happened since the last turn, as the side established it. */
export type DialogueStep =
  | { kind: 'start' }
  /** Digits at the order prompt and the unpaid order they name (none: not found or paid). */
  | { kind: 'order-entered'; digits: string; order: BenchOrder | undefined }
  | { kind: 'menu-choice'; digits: string }
  /** `<Pay>` returned without a PaymentMethod. */
  | { kind: 'capture-failed' }
  | { kind: 'charged'; confirmationCode: string }
  | { kind: 'charge-declined' };

export const maxCaptureAttempts = 3;

export function newDialogue(locale: Locale): DialogueState {
  return { stage: 'greeting', turn: 0, locale, captureAttempts: 0 };
}

/** Applies the step to the state and returns the next turn. */
export function advance(state: DialogueState, step: DialogueStep): Turn {
  const text = catalogFor(state.locale);
  const locale = state.locale;
  const askOrder = gatherDigits(text.askOrderNumber, locale, { finishOnKey: '#' });
  const emit = (instructions: Turn['instructions'], final = false): Turn => {
    state.turn++;
    if (final) state.stage = 'done';
    return { turn: state.turn, instructions, final };
  };
  const payTurn = (preface: string[]): Turn => {
    state.stage = 'card-capture';
    state.captureAttempts++;
    const order = state.order!;
    return emit([...preface.map((t) => say(t, locale)), capturePayment({ currency: order.currency, description: order.description, locale })]);
  };
  const menuTurn = (order: BenchOrder): Turn => {
    state.stage = 'menu';
    const summary = text.describeOrder({ orderId: order.orderId, description: order.description, spokenAmount: spokenAmount(order.amount, order.currency, locale) });
    return emit([say(summary, locale), gatherDigits(text.menu(false), locale, { numDigits: 1 })]);
  };

  switch (step.kind) {
    case 'start':
      state.stage = 'order-entry';
      return emit([say(text.greeting, locale), askOrder]);
    case 'order-entered':
      if (!step.order) return emit([say(text.orderNotFound(step.digits), locale), askOrder]);
      state.order = step.order;
      return menuTurn(step.order);
    case 'menu-choice':
      if (step.digits === '1') return payTurn([]);
      if (step.digits === '2') return menuTurn(state.order!);
      return emit([say(text.invalidChoice, locale), gatherDigits(text.menu(false), locale, { numDigits: 1 })]);
    case 'capture-failed':
    case 'charge-declined':
      if (state.captureAttempts >= maxCaptureAttempts) return emit([say(text.captureGaveUp, locale), { kind: 'hangup' }], true);
      return payTurn([step.kind === 'capture-failed' ? text.captureProblem('error') : text.declined('generic'), text.tryAnotherCard]);
    case 'charged':
      state.confirmationCode = step.confirmationCode;
      return emit([say(text.paid(step.confirmationCode), locale), { kind: 'hangup' }], true);
  }
}

/** Six digits for the caller to note, as paycall's are. */
export function newConfirmationCode(random: () => number = Math.random): string {
  return String(Math.floor(100000 + random() * 900000));
}

/** The digits keyed at an order prompt, without the finishing `#`. */
export function orderDigits(digits: string): string {
  return digits.replace(/#$/, '');
}
