/**
 * The activities the call workflow schedules: their inputs, outputs and the failure types
 * they raise. Workflows import this module with `import type` only.
 */
import type { Locale } from '../contract/instructions.js';
import type { AgentCaptureField } from '../contract/operator.js';
import type { CallRecord, PaymentAlert } from '../contract/payment-events.js';
import type { Order } from '../orders/order-book.js';

export interface ChargeCardInput {
  callSid: string;
  orderId: string;
  amount: number;
  currency: string;
  description: string;
  /** Stripe PaymentMethod id from `<Pay>`'s PaymentToken. */
  paymentMethodId: string;
  captureAttempt: number;
  confirmationCode: string;
  /** From the workflow: `call-<CallSid>/charge/<capture attempt>`, never random per retry. */
  idempotencyKey: string;
  /** A PaymentIntent left by an earlier declined attempt: confirmed again with the new card. */
  paymentIntentId?: string;
}

export interface ChargeCardResult {
  paymentIntentId: string;
  status: string;
  cardBrand?: string;
  cardLast4?: string;
}

export interface RefundInput {
  paymentIntentId: string;
  /** Minor units; omitted = the full remaining amount. */
  amount?: number;
  reason?: 'requested_by_customer' | 'duplicate' | 'fraudulent';
  /** `…/refund/<payment intent>` from the workflow. */
  idempotencyKey: string;
  metadata?: Record<string, string>;
}

export interface RefundResult {
  refundId: string;
  /** Stripe's: `succeeded`, or `pending` until Stripe settles it (refund.updated tells when). */
  status: string;
  amount: number;
  /** Stripe's `pending_reason`, while pending. */
  pendingReason?: string;
}

export interface ReceiptInput {
  callSid: string;
  to: string;
  orderId: string;
  amount: number;
  currency: string;
  confirmationCode: string;
  locale: Locale;
}

export interface ReceiptResult {
  sent: boolean;
  messageSid?: string;
  skippedBecause?: string;
}

export interface CallActivities {
  lookupOrder(orderId: string): Promise<Order | null>;
  chargeCard(input: ChargeCardInput): Promise<ChargeCardResult>;
  markOrderPaid(input: { orderId: string; paymentIntentId: string }): Promise<Order>;
  refundPayment(input: RefundInput): Promise<RefundResult>;
  sendReceipt(input: ReceiptInput): Promise<ReceiptResult>;
}

/** Agent-assisted payments on the live call (src/activities/live-call.ts). */
export interface LiveCallActivities {
  createPaymentSession(input: { callSid: string; idempotencyKey: string; currency: string; description: string; validCardTypes: string[] }): Promise<{ sessionSid: string }>;
  capturePaymentField(input: { callSid: string; sessionSid: string; idempotencyKey: string; field: AgentCaptureField }): Promise<void>;
  finishPaymentSession(input: { callSid: string; sessionSid: string; idempotencyKey: string; status: 'complete' | 'cancel' }): Promise<void>;
  endLiveCall(input: { callSid: string; text: string; locale: Locale }): Promise<void>;
}

/** What paymentEventsWorkflow asks of the outside world (src/activities/payment-events.ts, call-records.ts). */
export interface PaymentEventActivities {
  /** paycall's metadata on a PaymentIntent: its call and order; null when Stripe has no such PaymentIntent. */
  lookupPaymentIntent(paymentIntentId: string): Promise<{ callWorkflowId?: string; orderId?: string } | null>;
  /** Whether the call is still running and, once it has ended, which PaymentIntents it recorded. */
  readCallRecord(callWorkflowId: string): Promise<CallRecord>;
  /** One structured log line operators alert on. */
  reportPaymentAlert(alert: PaymentAlert): Promise<void>;
}

/** The call workflow's activities, which the worker registers with the payment events workflow's (PaymentEventActivities). */
export type WorkerActivities = CallActivities & LiveCallActivities;

export { failureTypes, type CardDeclinedDetails } from '../contract/failure-types.js';
