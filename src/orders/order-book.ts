/**
 * Where paycall looks up what a caller owes. Behind an interface so the order book can be
 * the JSON file (one worker), PostgreSQL, or the merchant's own order API
 * (open-order-book.ts picks one from the configuration).
 *
 * Errors: OrderNotPayableError and OrderBookRejectedError are final answers (the activity
 * turns them into non-retryable failures); any other error is trouble reaching the order
 * book (a timeout, a lost connection, a 5xx) and the activity is retried by Temporal.
 */
export type OrderStatus = 'unpaid' | 'paid';

export interface Order {
  orderId: string;
  /** Minor units of `currency` (src/money). */
  amount: number;
  /** ISO 4217, lower case. */
  currency: string;
  description: string;
  status: OrderStatus;
  /** Set once paid: the Stripe PaymentIntent that paid it. */
  paymentIntentId?: string;
}

export interface OrderBook {
  find(orderId: string): Promise<Order | undefined>;
  /**
   * Marks the order paid by this PaymentIntent. Idempotent for the same PaymentIntent;
   * throws OrderNotPayableError when the order is unknown or was paid by another one.
   */
  markPaid(orderId: string, paymentIntentId: string): Promise<Order>;
  /** Releases connections (a database pool); called once on shutdown. */
  close?(): Promise<void>;
}

export class OrderNotPayableError extends Error {
  constructor(
    readonly orderId: string,
    readonly reason: 'unknown-order' | 'paid-by-another-payment',
  ) {
    super(reason === 'unknown-order' ? `Order ${orderId} does not exist` : `Order ${orderId} was already paid by another payment`);
    this.name = 'OrderNotPayableError';
  }
}

/**
 * The order book refused the request in a way a retry cannot fix (the merchant's API said
 * 400/401/403/422, or answered with a body paycall cannot read): a configuration or
 * contract problem for a person to look at.
 */
export class OrderBookRejectedError extends Error {
  constructor(
    message: string,
    /** The HTTP status, when the order book is an HTTP API. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'OrderBookRejectedError';
  }
}
