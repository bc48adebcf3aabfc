/** All of the call workflow's activities, built from injected clients. */
import type Stripe from 'stripe';
import type { Twilio } from 'twilio';
import { createLogger, type Logger } from '../logging/logger.js';
import type { OrderBook } from '../orders/order-book.js';
import { keepAlive } from './keep-alive.js';
import { createOrderActivities } from './orders.js';
import { createPaymentEventActivities } from './payment-events.js';
import { createPaymentActivities } from './payments.js';
import { createReceiptActivities } from './receipts.js';
import { createLiveCallActivities } from './live-call.js';
import type { PaymentEventActivities, WorkerActivities } from './types.js';

export interface ActivityDeps {
  stripe: Stripe;
  orderBook: OrderBook;
  moto: boolean;
  twilio?: Twilio;
  smsFrom?: string;
  /** For the live-call Payments callbacks (PUBLIC_BASE_URL) and the Pay Connector's name. */
  publicBaseUrl: string;
  paymentConnector: string;
  /** Where the payment events workflow's alert lines go; default a `paycall-activities` logger. */
  logger?: Logger;
}

/** Everything but readCallRecord, which the worker builds from its own Temporal connection (src/worker/worker.ts). */
export type BuiltActivities = WorkerActivities & Omit<PaymentEventActivities, 'readCallRecord'>;

export function createActivities(deps: ActivityDeps): BuiltActivities {
  const activities: BuiltActivities = {
    ...createOrderActivities(deps.orderBook),
    ...createPaymentActivities({ stripe: deps.stripe, moto: deps.moto }),
    ...createPaymentEventActivities({ stripe: deps.stripe, logger: deps.logger ?? createLogger('paycall-activities') }),
    ...createReceiptActivities({ twilio: deps.twilio, from: deps.smsFrom }),
    ...createLiveCallActivities({ ...(deps.twilio ? { twilio: deps.twilio } : {}), publicBaseUrl: deps.publicBaseUrl, paymentConnector: deps.paymentConnector }),
  };
  // Every activity heartbeats while it runs: a dead worker's attempt is retried elsewhere within seconds.
  return Object.fromEntries(Object.entries(activities).map(([name, fn]) => [name, keepAlive(fn as (...args: unknown[]) => Promise<unknown>)])) as unknown as BuiltActivities;
}
