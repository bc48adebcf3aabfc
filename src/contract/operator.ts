/**
 * Agent-assisted payments: what passes between the operator tools, Twilio's live-call
 * Payments callbacks and the call workflow while a caller is connected to an operator. The
 * operator steers (start capture, re-ask a field, cancel, end the call); Twilio reports
 * progress with masked values only. No digit the caller keys ever reaches this contract.
 */
import { defineSignal, defineUpdate } from '@temporalio/workflow';

/** The card fields an operator's capture asks for, in order (postal code is off). */
export const agentCaptureFields = ['payment-card-number', 'expiration-date', 'security-code'] as const;
export type AgentCaptureField = (typeof agentCaptureFields)[number];

/** What the operator asks the call to do; `operator` is the signed-in operator's name. */
export type OperatorCommand =
  | {
      kind: 'start-capture';
      operator: string;
      /** The caller's order; or, for a payment without one, an amount the operator entered. */
      charge: { orderId: string } | { amount: number; currency: string; description: string };
    }
  | { kind: 'reask'; operator: string; field: AgentCaptureField }
  | { kind: 'cancel-capture'; operator: string }
  | { kind: 'end-call'; operator: string };

/** The workflow's answer to a command: accepted, with where the capture stands. */
export interface OperatorCommandResult {
  accepted: true;
  capture?: AgentCaptureView;
}

/** One Payments status callback from Twilio, as the web layer keeps it: masked values only. */
export interface PaymentStatusEvent {
  /** Twilio's I-Twilio-Idempotency-Token (or a hash of the signed request): duplicates are applied once. */
  callbackId: string;
  /** The Payment session (`PK…`). */
  sessionSid: string;
  /** The field this callback is about (`Capture`), when it is about one. */
  capture?: string;
  /** True while the caller is still keying the field. */
  partialResult?: boolean;
  /** Twilio's ErrorType for the field (`invalid-card-number`, `input-timeout`, …); empty = fine. */
  errorType?: string;
  /** Fields still to capture (`Required`). */
  required?: string[];
  card?: { brand?: string; last4?: string; expiry?: string };
  /** Whether a security code was keyed (Twilio sends it as `xxx`). */
  securityCodeKeyed?: boolean;
  /** After complete/cancel/hang-up: Twilio's Result. */
  result?: string;
  /** Result success: the Stripe PaymentMethod id. */
  paymentToken?: string;
  paymentError?: string;
  payErrorCode?: string;
  connectorError?: string;
}

export type AgentFieldState = 'waiting' | 'asking' | 'keying' | 'entered' | 'invalid' | 'timed-out';

/** What the console shows of an agent-assisted capture: progress, never a digit beyond the last four. */
export interface AgentCaptureView {
  /** Which capture of this call (a declined card, then another: 2). */
  attempt: number;
  operator: string;
  status: 'starting' | 'capturing' | 'completing' | 'charging' | 'paid' | 'declined' | 'failed' | 'cancelled' | 'abandoned';
  sessionSid?: string;
  fields: {
    field: AgentCaptureField;
    state: AgentFieldState;
    attempts: number;
    errorType?: string;
    /** While the caller is asked again: the last try's ErrorType (`invalid-card-number`, `input-timeout`), if that is why. */
    previousErrorType?: string;
    /** While the caller is asked again because an operator asked: who. */
    reaskedBy?: string;
  }[];
  card?: { brand?: string; last4?: string; expiry?: string };
  amount: number;
  currency: string;
  description: string;
  orderId?: string;
  /** Once paid: the code the operator reads out. */
  confirmationCode?: string;
  paymentIntentId?: string;
  /** Why it failed or was declined, in words for the operator. */
  problem?: string;
}

/** The live part of a call connected to an operator (part of the `state` query). */
export interface OperatorLineState {
  connectedAt: string;
  operatorNumber: string;
  capture?: AgentCaptureView;
  /** Every capture of this call, oldest first. */
  captures: AgentCaptureView[];
}

export const operatorCommandUpdate = defineUpdate<OperatorCommandResult, [OperatorCommand]>('operatorCommand');
export const paymentStatusSignal = defineSignal<[PaymentStatusEvent]>('paymentStatus');
