/**
 * Builds the activities' clients from configuration: Stripe (or the sandbox), the order book
 * (open-order-book.ts: PostgreSQL, the merchant's API or the JSON file), Twilio.
 */
import twilio from 'twilio';
import { createActivities } from '../activities/index.js';
import type { WorkerActivities } from '../activities/types.js';
import { smsReceiptsEnabled, type Config } from '../config/config.js';
import { openOrderBook } from '../orders/open-order-book.js';
import type { OrderBook } from '../orders/order-book.js';
import { createStripeClient } from '../stripe/stripe-client.js';

/** The key paycall uses against the local Stripe sandbox (it accepts any sk_test_…). */
export const sandboxSecretKey = 'sk_test_paycall_local_sandbox';

export function stripeTarget(config: Config): { secretKey: string; apiBase?: string; isSandbox: boolean } {
  if (config.STRIPE_SECRET_KEY) {
    return { secretKey: config.STRIPE_SECRET_KEY, ...(config.STRIPE_API_BASE ? { apiBase: config.STRIPE_API_BASE } : {}), isSandbox: false };
  }
  return { secretKey: sandboxSecretKey, apiBase: config.STRIPE_API_BASE ?? `http://127.0.0.1:${config.STRIPE_SANDBOX_PORT}`, isSandbox: true };
}

export interface OpenedActivities {
  activities: WorkerActivities;
  /** Releases what the activities hold (the order book's database pool): after the worker stops. */
  close(): Promise<void>;
}

export async function buildActivities(config: Config): Promise<WorkerActivities> {
  return (await openActivities(config)).activities;
}

export async function openActivities(config: Config): Promise<OpenedActivities> {
  // Fails at start with one line (bad orders file, unreachable database, schema not migrated).
  const orderBook: OrderBook = await openOrderBook(config);
  const target = stripeTarget(config);
  // Twilio's REST API: SMS receipts (with a sender number) and agent-assisted payments on live calls.
  const twilioClient = config.TWILIO_ACCOUNT_SID && config.TWILIO_AUTH_TOKEN ? twilio(config.TWILIO_ACCOUNT_SID, config.TWILIO_AUTH_TOKEN) : undefined;
  if (twilioClient && config.TWILIO_API_BASE) twilioClient.api.baseUrl = config.TWILIO_API_BASE;
  const activities = createActivities({
    stripe: createStripeClient(target),
    orderBook,
    moto: config.STRIPE_MOTO,
    publicBaseUrl: config.publicBaseUrl,
    paymentConnector: config.TWILIO_PAY_CONNECTOR,
    ...(twilioClient ? { twilio: twilioClient } : {}),
    ...(twilioClient && smsReceiptsEnabled(config) ? { smsFrom: config.TWILIO_SMS_FROM } : {}),
  });
  return { activities, close: async () => orderBook.close?.() };
}
