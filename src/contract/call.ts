/**
 * The contract between paycall's webhooks and its call workflow: the workflow's input and
 * result, the events a caller's actions become, and the Update/Signal/Query definitions.
 * Imported by both sides; pure (only @temporalio/workflow's define* helpers).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Locale, PayOptions, Turn } from './instructions.js';
import type { OperatorLineState } from './operator.js';
import type { StepRecord } from './steps.js';
import type { CallOutcomeKind, CallStep } from './vocabulary.js';

export type { CallOutcomeKind, CallStep } from './vocabulary.js';

export const callWorkflowType = 'callWorkflow';

export function callWorkflowId(callSid: string): string {
  return `call-${callSid}`;
}

export interface CallInput {
  callSid: string;
  locale: Locale;
  /** E.164 number to transfer to when the caller asks for (or needs) a person. */
  operatorNumber?: string;
  /** Where to text the receipt; only set when SMS receipts are configured. */
  receiptTo?: string;
  /** The merchant's `<Pay>` settings at the call's start. Absent in calls that began before they were configurable: today's constants then. */
  pay?: PayOptions;
}

/** What a caller did, as the web layer reports it. */
export type CallerEvent =
  | { kind: 'start' }
  | {
      kind: 'digits';
      turn: number;
      digits: string;
      /**
       * The web layer kept the caller's digits out (`digits` is then empty): a card-like
       * number (13–19 digits passing Luhn), or more digits than an order number can have.
       */
      withheld?: WithheldDigits;
    }
  | { kind: 'pay-result'; turn: number; pay: PayResult }
  /** The `<Dial>` to the operator ended (Twilio requested its action URL). */
  | {
      kind: 'dial-ended';
      turn: number;
      dialCallStatus: string;
      durationSeconds?: number;
      /** The caller's own call: `completed` when it was the caller who hung up. */
      callStatus?: string;
    };

/** Why a `<Gather>`'s digits did not reach the workflow. */
export const withheldDigitsReasons = ['card-number', 'too-long'] as const;
export type WithheldDigits = (typeof withheldDigitsReasons)[number];

/** The `<Pay>` action callback, minus anything that is not safe to keep. */
export interface PayResult {
  result: PayResultCode;
  /** Twilio's own Result when paycall did not recognise it (result is then `unrecognized-result`). */
  rawResult?: string;
  /** Stripe PaymentMethod id (`pm_…`) when result is success. */
  paymentToken?: string;
  paymentCardType?: string;
  /** Masked by Twilio, e.g. `xxxx-xxxx-xxxx-4242`. */
  paymentCardNumber?: string;
  expirationDate?: string;
  /** The billing postal code, masked by paycall (`*****01`) when `<Pay postalCode>` asked for it. */
  postalCode?: string;
  paymentError?: string;
  payErrorCode?: string;
  connectorError?: string;
}

export const payResultCodes = [
  'success',
  'too-many-failed-attempts',
  'payment-connector-error',
  'caller-interrupted-with-star',
  'caller-hung-up',
  'validation-error',
  'internal-error',
  /** A Result Twilio sent that paycall does not know: a failed capture, its raw value kept in `rawResult`. */
  'unrecognized-result',
] as const;
export type PayResultCode = (typeof payResultCodes)[number];

/** `<Pay>` statusCallback progress (which field, which error, which attempt). */
export interface PayProgress {
  for: string;
  errorType?: string;
  attempt?: number;
}

/** Twilio call-status callback. */
export interface CallStatusEvent {
  callStatus: string;
  callDuration?: number;
}

export const terminalCallStatuses = ['completed', 'busy', 'failed', 'no-answer', 'canceled'] as const;

export interface CallFailure {
  step: CallStep;
  code: string;
  message: string;
}

/** The workflow's result. Amount in the currency's minor units (see src/money). */
export interface CallOutcome {
  outcome: CallOutcomeKind;
  orderId?: string;
  amount?: number;
  currency?: string;
  paymentIntentId?: string;
  confirmationCode?: string;
  captureAttempts: number;
  failure?: CallFailure;
  /** The call's step log. Absent only in calls recorded before paycall kept one. */
  steps?: StepRecord[];
}

/** What the `state` query returns: where the call is, for operators. */
export interface CallState {
  step: CallStep;
  turn: number;
  orderId?: string;
  amount?: number;
  currency?: string;
  orderEntryAttempts: number;
  captureAttempts: number;
  paymentIntentId?: string;
  lastError?: CallFailure;
  lastPayProgress?: PayProgress;
  hungUp: boolean;
  outcome?: CallOutcome;
  /** The step log so far. */
  steps: StepRecord[];
  /** While (and after) the caller was connected to an operator: the line and its captures. */
  operatorLine?: OperatorLineState;
}

/** A caller event in; the next turn out. */
export const callerEventUpdate = defineUpdate<Turn, [CallerEvent]>('callerEvent');
export const callStatusSignal = defineSignal<[CallStatusEvent]>('callStatus');
export const payProgressSignal = defineSignal<[PayProgress]>('payProgress');
export const stateQuery = defineQuery<CallState>('state');
