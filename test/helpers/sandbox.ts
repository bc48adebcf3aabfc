/**
 * A Stripe sandbox on a free port in a fresh temp DATA_DIR, with stripe clients pointed at
 * it: the raw `stripe` client (`client()`, for the sandbox's own suite) and paycall's
 * configured one (`stripe()`, what the activities use).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Stripe from 'stripe';
import { createLogger } from '../../src/logging/logger.js';
import { startStripeSandbox, type StripeSandbox } from '../../src/stand-ins/stripe-sandbox/server.js';
import { createStripeClient } from '../../src/stripe/stripe-client.js';

/** A test-mode key shape only; the sandbox accepts any `sk_test_…`. */
export const testApiKey = 'sk_test_paycall_sandbox';

export interface TestSandbox {
  sandbox: StripeSandbox;
  dataDir: string;
  /** The raw stripe client for this sandbox; retries off unless asked for. */
  client(config?: Stripe.StripeConfig, apiKey?: string): Stripe;
  /** paycall's own stripe client (src/stripe/stripe-client.ts) for this sandbox. */
  stripe(options?: { maxNetworkRetries?: number }): Stripe;
  /** PaymentIntents whose metadata.call_sid is this call, newest first. */
  intentsForCall(callSid: string): Promise<Stripe.PaymentIntent[]>;
  /** Stops the sandbox and starts a new one on the same data dir (and a new port). */
  restart(): Promise<void>;
  /** Stops the sandbox and deletes its data dir. */
  stop(): Promise<void>;
}

export async function startTestSandbox(): Promise<TestSandbox> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'paycall-sandbox-'));
  const logger = createLogger('stripe-sandbox', process.env.SANDBOX_LOG_LEVEL ?? 'silent');
  const start = () => startStripeSandbox({ port: 0, host: '127.0.0.1', dataDir, logger });
  const t: TestSandbox = {
    sandbox: await start(),
    dataDir,
    client(config = {}, apiKey = testApiKey) {
      return new Stripe(apiKey, { host: t.sandbox.host, port: t.sandbox.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false, ...config });
    },
    stripe(options = {}) {
      return createStripeClient({ secretKey: testApiKey, apiBase: t.sandbox.url, maxNetworkRetries: options.maxNetworkRetries ?? 0, timeoutMs: 5000 });
    },
    async intentsForCall(callSid) {
      const all = await t.client().paymentIntents.list({ limit: 100 });
      return all.data.filter((intent) => intent.metadata.call_sid === callSid);
    },
    async restart() {
      await t.sandbox.close();
      t.sandbox = await start();
    },
    async stop() {
      await t.sandbox.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}
