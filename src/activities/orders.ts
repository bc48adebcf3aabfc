/** Order book activities: look an order up, mark it paid. */
import { ApplicationFailure } from '@temporalio/activity';
import { OrderNotPayableError, type Order, type OrderBook } from '../orders/order-book.js';
import { failureTypes } from './types.js';

export function createOrderActivities(orderBook: OrderBook) {
  async function lookupOrder(orderId: string): Promise<Order | null> {
    return (await orderBook.find(orderId)) ?? null;
  }

  async function markOrderPaid(input: { orderId: string; paymentIntentId: string }): Promise<Order> {
    try {
      return await orderBook.markPaid(input.orderId, input.paymentIntentId);
    } catch (err) {
      if (err instanceof OrderNotPayableError) {
        throw ApplicationFailure.create({ type: failureTypes.orderNotPayable, nonRetryable: true, message: err.message, details: [{ reason: err.reason }] });
      }
      throw err; // I/O trouble: retried by Temporal with backoff.
    }
  }

  return { lookupOrder, markOrderPaid };
}
