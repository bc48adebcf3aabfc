/**
 * Order book activities: look an order up, mark it paid. An order book's final answers
 * become non-retryable failures; anything else (a timeout, a lost connection, a 5xx) is
 * rethrown as it is, so Temporal retries it with backoff.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { OrderBookRejectedError, OrderNotPayableError, type Order, type OrderBook } from '../orders/order-book.js';
import { failureTypes } from './types.js';

function asActivityFailure(err: unknown): unknown {
  if (err instanceof OrderNotPayableError) {
    return ApplicationFailure.create({ type: failureTypes.orderNotPayable, nonRetryable: true, message: err.message, details: [{ reason: err.reason }] });
  }
  if (err instanceof OrderBookRejectedError) {
    return ApplicationFailure.create({
      type: failureTypes.orderBookRejected,
      nonRetryable: true,
      message: err.message,
      ...(err.status !== undefined ? { details: [{ status: err.status }] } : {}),
    });
  }
  return err;
}

export function createOrderActivities(orderBook: OrderBook) {
  async function lookupOrder(orderId: string): Promise<Order | null> {
    try {
      return (await orderBook.find(orderId)) ?? null;
    } catch (err) {
      throw asActivityFailure(err);
    }
  }

  async function markOrderPaid(input: { orderId: string; paymentIntentId: string }): Promise<Order> {
    try {
      return await orderBook.markPaid(input.orderId, input.paymentIntentId);
    } catch (err) {
      throw asActivityFailure(err);
    }
  }

  return { lookupOrder, markOrderPaid };
}
