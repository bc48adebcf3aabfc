/**
 * The one place paycall builds its `stripe` client: the real Stripe API, or any
 * Stripe-compatible base URL (the local sandbox) via host/port/protocol.
 */
import Stripe from 'stripe';

export interface StripeClientOptions {
  secretKey: string;
  /** e.g. http://127.0.0.1:12111 for the sandbox; omitted = api.stripe.com. */
  apiBase?: string;
  /** stripe-node's own retries inside one activity attempt; Temporal retries beyond that. */
  maxNetworkRetries?: number;
  timeoutMs?: number;
}

export function createStripeClient(options: StripeClientOptions): Stripe {
  const config: Stripe.StripeConfig = {
    // One attempt of a Stripe activity is at most about 2 × 8 s, under its 20 s start-to-close
    // (src/workflows/activity-options.ts): Temporal's retries, with the same key, do the rest.
    maxNetworkRetries: options.maxNetworkRetries ?? 1,
    timeout: options.timeoutMs ?? 8_000,
    appInfo: { name: 'paycall' },
    telemetry: false,
  };
  if (options.apiBase) {
    const url = new URL(options.apiBase);
    config.host = url.hostname;
    config.port = url.port || (url.protocol === 'https:' ? '443' : '80');
    config.protocol = url.protocol === 'http:' ? 'http' : 'https';
  }
  return new Stripe(options.secretKey, config);
}
