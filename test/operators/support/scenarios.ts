/**
 * Calls for the operator tests, played through the Update protocol (TestCall) against a
 * worker whose Stripe activities are the real ones talking to the local Stripe sandbox;
 * the order book is in memory. No vitest imports: the history recorder script uses it too.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type Stripe from 'stripe';
import { createPaymentActivities } from '../../../src/activities/payments.js';
import type { CallActivities } from '../../../src/activities/types.js';
import type { CallOutcome, PayResult } from '../../../src/contract/call.js';
import type { Order } from '../../../src/orders/order-book.js';
import { TestCall } from '../../helpers/test-call.js';

export const visa: PayResult = { result: 'success', paymentToken: 'pm_card_visa', paymentCardType: 'visa', paymentCardNumber: 'xxxx-xxxx-xxxx-4242', expirationDate: '1230' };
export const insufficientFunds: PayResult = { ...visa, paymentToken: 'pm_card_visa_chargeDeclinedInsufficientFunds', paymentCardNumber: 'xxxx-xxxx-xxxx-9995' };
export const genericDecline: PayResult = { ...visa, paymentToken: 'pm_card_visa_chargeDeclined', paymentCardNumber: 'xxxx-xxxx-xxxx-0002' };

/** Orders the scenarios use; ids are unique per run so list filters by order isolate a test. */
export class TestOrders {
  readonly orders = new Map<string, Order>();
  /** Orders whose markOrderPaid fails for good (drives the call's compensating refund). */
  readonly unmarkable = new Set<string>();

  add(amount = 1999, currency = 'usd', description = 'two concert tickets'): Order {
    const order: Order = { orderId: String(randomInt(10_000_000, 99_999_999)), amount, currency, description, status: 'unpaid' };
    this.orders.set(order.orderId, order);
    return order;
  }
}

export function scenarioSid(): string {
  return `CA${randomUUID().replace(/-/g, '')}`;
}

/** Real chargeCard/refundPayment (sandbox), in-memory order book, a receipt that is "sent". */
export function operatorTestActivities(stripe: Stripe, orders: TestOrders): CallActivities {
  return {
    ...createPaymentActivities({ stripe, moto: false }),
    lookupOrder: async (orderId) => {
      const order = orders.orders.get(orderId);
      return order ? { ...order } : null;
    },
    markOrderPaid: async ({ orderId, paymentIntentId }) => {
      const order = orders.orders.get(orderId);
      if (!order || orders.unmarkable.has(orderId)) {
        throw ApplicationFailure.create({ type: 'OrderNotPayable', nonRetryable: true, message: `Order ${orderId} was already paid by another payment` });
      }
      order.status = 'paid';
      order.paymentIntentId = paymentIntentId;
      return { ...order };
    },
    sendReceipt: async () => ({ sent: true, messageSid: `SM${randomUUID().replace(/-/g, '')}` }),
  };
}

export interface Played {
  call: TestCall;
  outcome: CallOutcome;
}

async function play(client: Client, taskQueue: string, steps: (call: TestCall) => Promise<void>, receiptTo?: string): Promise<Played> {
  const call = new TestCall(client, taskQueue, { callSid: scenarioSid(), locale: 'en-US', ...(receiptTo ? { receiptTo } : {}) });
  await steps(call);
  return { call, outcome: await call.outcome() };
}

/** Order, amount, one good card: paid, with an SMS receipt. */
export function playPaid(client: Client, taskQueue: string, order: Order): Promise<Played> {
  return play(
    client,
    taskQueue,
    async (c) => {
      await c.start();
      await c.press(`${order.orderId}#`);
      await c.press('1');
      await c.pay(visa);
    },
    '+15005550006',
  );
}

/** A wrong order number first, then three declined cards: declined at the charge. */
export function playDeclined(client: Client, taskQueue: string, order: Order): Promise<Played> {
  return play(client, taskQueue, async (c) => {
    await c.start();
    await c.press('11#');
    await c.press(`${order.orderId}#`);
    await c.press('1');
    await c.pay(genericDecline);
    await c.pay({ result: 'too-many-failed-attempts', paymentError: 'invalid-card-number' });
    await c.pay(insufficientFunds);
  });
}

/** Hangs up while <Pay> is collecting the card: abandoned, nothing charged. */
export function playAbandoned(client: Client, taskQueue: string, order: Order): Promise<Played> {
  return play(client, taskQueue, async (c) => {
    await c.start();
    await c.press(`${order.orderId}#`);
    await c.press('1');
    await c.hangUp();
  });
}

/** The charge succeeds but the order cannot be marked paid: the call refunds it itself. */
export function playCompensated(client: Client, taskQueue: string, orders: TestOrders, order: Order): Promise<Played> {
  orders.unmarkable.add(order.orderId);
  return play(client, taskQueue, async (c) => {
    await c.start();
    await c.press(`${order.orderId}#`);
    await c.press('1');
    await c.pay(visa);
  });
}
