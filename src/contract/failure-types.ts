/**
 * The ApplicationFailure types activities raise and workflows handle: shared by both sides
 * (workflows may import this module; it is pure data).
 */

/** ApplicationFailure types the activities raise; all are non-retryable. */
export const failureTypes = {
  /** A card decline: details[0] is CardDeclinedDetails. */
  cardDeclined: 'CardDeclined',
  /** Stripe rejected the request as invalid: a bug or a config problem. */
  stripeInvalidRequest: 'StripeInvalidRequest',
  /** Same idempotency key, different parameters: a bug in key derivation. */
  stripeIdempotencyMismatch: 'StripeIdempotencyMismatch',
  stripeAuthentication: 'StripeAuthentication',
  /** STRIPE_MOTO=true on an account Stripe has not enabled for MOTO: a configuration problem, no caller can fix it. */
  stripeMotoNotEnabled: 'StripeMotoNotEnabled',
  orderNotPayable: 'OrderNotPayable',
  /** The order book refused the request for good (e.g. the merchant's API said 401 or 422). */
  orderBookRejected: 'OrderBookRejected',
  refundRefused: 'RefundRefused',
  /** Twilio refused a REST request (4xx): the live call is over, or a parameter is wrong. */
  twilioRejected: 'TwilioRejected',
} as const;

export interface CardDeclinedDetails {
  code: string;
  declineCode?: string;
  message: string;
  paymentIntentId?: string;
}

export const nonRetryableFailureTypes: string[] = Object.values(failureTypes);
