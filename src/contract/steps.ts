/**
 * The step log: the facts of a call as its workflow records them, one entry per attempt
 * of a step. Part of the `state` query and of the workflow's result (`steps`), so the
 * timeline, console, CLI and API render what the workflow decided instead of guessing it
 * from history. Never card data or phone numbers: Stripe ids and masked card facts only.
 */
import type { CallStep, StepStatus } from './vocabulary.js';

/** The activities a step can run; the timeline joins each entry with that activity's retries in history. */
export type StepActivity = 'lookupOrder' | 'chargeCard' | 'markOrderPaid' | 'sendReceipt' | 'refundPayment' | 'createPaymentSession';

export interface StepRecord {
  step: CallStep;
  /** Which try of this step; a charge carries the number of the card capture it charges. */
  attempt: number;
  status: StepStatus;
  /** Workflow time, ISO 8601. */
  startedAt: string;
  endedAt?: string;
  /**
   * Why it ended so, as a code: paycall's (`order-not-found`, `no-input`, `confirmed`,
   * `repeat`), `<Pay>`'s Result, or Stripe's (`card_declined`).
   */
  code?: string;
  /** The failure's type: `CardDeclined`, `OrderNotPayable`, `<Pay>`, … */
  errorType?: string;
  /** Stripe's decline_code. */
  declineCode?: string;
  /** A message for operators (already free of card-like numbers and phone numbers). */
  message?: string;
  /** What the caller keyed at this step: an order number or a menu choice (never card-like digits). */
  input?: string;
  /** The order this step found or worked on. */
  order?: { orderId: string; amount: number; currency: string; description: string };
  /** The activity this attempt ran (at most one). */
  activity?: StepActivity;
  /** Charge and refund amounts, minor units. */
  amount?: number;
  currency?: string;
  idempotencyKey?: string;
  paymentMethodId?: string;
  paymentIntentId?: string;
  refundId?: string;
  /** Masked, as Twilio and Stripe give them. */
  /** `postalCode` is masked (`*****01`). */
  card?: { brand?: string; last4?: string; expiry?: string; postalCode?: string };
  /** The SMS receipt's Twilio id. */
  messageSid?: string;
  /** Agent-assisted: the operator who steered this step (started, re-asked, cancelled). */
  operator?: string;
  /** How the card was captured: the caller alone (`<Pay>`), or on a live call with an operator. */
  via?: 'keypad' | 'operator';
  /** Agent-assisted capture: each field, how many times it was asked, the last error Twilio reported. */
  fields?: { field: string; attempts: number; errorType?: string; reaskedBy?: string }[];
  /** The Payment session on the live call (`PK…`). */
  paymentSessionSid?: string;
}
