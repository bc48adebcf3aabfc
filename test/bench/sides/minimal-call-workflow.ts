/**
 * Reference B's workflow, the minimal durable call: one workflow per call that answers each
 * of its five Updates at once (the caller's four events with the next turn of paycall's
 * dialogue, then the call-status callback, which ends it). No activities, no timers, no
 * search attributes: what one durable round trip per webhook costs on this Temporal server.
 * The web layer looks orders up before the Update (no activities), and the card is not
 * charged: `<Pay>`'s success is the payment here.
 */
import { condition, defineUpdate, setHandler } from '@temporalio/workflow';
import type { Locale, Turn } from '../../../src/contract/instructions.js';
import { advance, newConfirmationCode, newDialogue, orderDigits, type BenchOrder, type DialogueState, type DialogueStep } from './dialogue.js';

export type MinimalCallEvent =
  | { kind: 'start' }
  /** `order`: the unpaid order the digits name, if they name one (looked up by the web layer). */
  | { kind: 'digits'; turn: number; digits: string; order?: BenchOrder }
  | { kind: 'pay-result'; turn: number; success: boolean };

export interface MinimalCallOutcome {
  outcome: 'paid' | 'not-paid';
  orderId?: string;
  confirmationCode?: string;
}

export const minimalCallerEvent = defineUpdate<Turn, [MinimalCallEvent]>('callerEvent');
export const minimalCallStatus = defineUpdate<void, [string]>('callStatus');

export async function minimalCallWorkflow(input: { callSid: string; locale: Locale }): Promise<MinimalCallOutcome> {
  const dialogue = newDialogue(input.locale);
  let last: Turn | undefined;
  let ended = false;
  setHandler(minimalCallerEvent, (event) => {
    // A retried or late webhook (not answering the current turn) gets the current turn again.
    if (last && (event.kind === 'start' || event.turn !== last.turn)) return last;
    last = advance(dialogue, stepFor(dialogue, event));
    return last;
  });
  setHandler(minimalCallStatus, () => {
    ended = true;
  });
  await condition(() => ended);
  return dialogue.confirmationCode
    ? { outcome: 'paid', orderId: dialogue.order?.orderId, confirmationCode: dialogue.confirmationCode }
    : { outcome: 'not-paid', ...(dialogue.order ? { orderId: dialogue.order.orderId } : {}) };
}

function stepFor(dialogue: DialogueState, event: MinimalCallEvent): DialogueStep {
  if (event.kind === 'start') return { kind: 'start' };
  if (event.kind === 'pay-result') return event.success ? { kind: 'charged', confirmationCode: newConfirmationCode() } : { kind: 'capture-failed' };
  if (dialogue.stage === 'order-entry') return { kind: 'order-entered', digits: orderDigits(event.digits), order: event.order };
  return { kind: 'menu-choice', digits: event.digits };
}
