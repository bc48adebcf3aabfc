/** A Stripe sandbox on a free port in a temp dir, and a stripe client pointed at it. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type Stripe from 'stripe';
import { createLogger } from '../../src/logging/logger.js';
import { startStripeSandbox, type StripeSandbox } from '../../src/stand-ins/stripe-sandbox/server.js';
import { createStripeClient } from '../../src/stripe/stripe-client.js';

export interface TestSandbox {
  sandbox: StripeSandbox;
  dataDir: string;
  stripe(options?: { maxNetworkRetries?: number }): Stripe;
  /** PaymentIntents whose metadata.call_sid is this call, newest first. */
  intentsForCall(callSid: string): Promise<Stripe.PaymentIntent[]>;
  close(): Promise<void>;
}

export async function startTestSandbox(): Promise<TestSandbox> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'paycall-sandbox-'));
  const sandbox = await startStripeSandbox({ port: 0, dataDir, logger: createLogger('sandbox', 'silent') });
  const stripe = (options: { maxNetworkRetries?: number } = {}) =>
    createStripeClient({ secretKey: 'sk_test_paycall_tests', apiBase: sandbox.url, maxNetworkRetries: options.maxNetworkRetries ?? 0, timeoutMs: 5000 });
  return {
    sandbox,
    dataDir,
    stripe,
    async intentsForCall(callSid) {
      const all = await stripe().paymentIntents.list({ limit: 100 });
      return all.data.filter((intent) => intent.metadata.call_sid === callSid);
    },
    async close() {
      await sandbox.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
