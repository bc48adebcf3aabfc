/** Builds the activities' clients from configuration: Stripe (or the sandbox), order book, Twilio. */
import twilio from 'twilio';
import { createActivities } from '../activities/index.js';
import type { CallActivities } from '../activities/types.js';
import { smsReceiptsEnabled, type Config } from '../config/config.js';
import { JsonFileOrderBook } from '../orders/json-file-order-book.js';
import { createStripeClient } from '../stripe/stripe-client.js';

/** The key paycall uses against the local Stripe sandbox (it accepts any sk_test_…). */
export const sandboxSecretKey = 'sk_test_paycall_local_sandbox';

export function stripeTarget(config: Config): { secretKey: string; apiBase?: string; isSandbox: boolean } {
  if (config.STRIPE_SECRET_KEY) {
    return { secretKey: config.STRIPE_SECRET_KEY, ...(config.STRIPE_API_BASE ? { apiBase: config.STRIPE_API_BASE } : {}), isSandbox: false };
  }
  return { secretKey: sandboxSecretKey, apiBase: config.STRIPE_API_BASE ?? `http://127.0.0.1:${config.STRIPE_SANDBOX_PORT}`, isSandbox: true };
}

export async function buildActivities(config: Config): Promise<CallActivities> {
  const orderBook = new JsonFileOrderBook(config.ORDERS_FILE, config.DATA_DIR);
  await orderBook.loadOrders(); // fail at start, with the file's problem, not on the first call
  const target = stripeTarget(config);
  const twilioClient =
    smsReceiptsEnabled(config) && config.TWILIO_ACCOUNT_SID && config.TWILIO_AUTH_TOKEN
      ? twilio(config.TWILIO_ACCOUNT_SID, config.TWILIO_AUTH_TOKEN)
      : undefined;
  if (twilioClient && config.TWILIO_API_BASE) twilioClient.api.baseUrl = config.TWILIO_API_BASE;
  return createActivities({
    stripe: createStripeClient(target),
    orderBook,
    moto: config.STRIPE_MOTO,
    ...(twilioClient ? { twilio: twilioClient, smsFrom: config.TWILIO_SMS_FROM } : {}),
  });
}
