/**
 * Where paycall looks up what a caller owes. Behind an interface so a merchant's own
 * order API can replace the JSON file (see json-file-order-book.ts).
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
