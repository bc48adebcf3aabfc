/**
 * Test helpers for the Stripe sandbox: a sandbox on a free port in a fresh temp DATA_DIR, and
 * the real `stripe` client pointed at it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { createLogger } from '../../src/logging/logger.js';
import { startStripeSandbox, type StripeSandbox } from '../../src/stand-ins/stripe-sandbox/server.js';

/** A test-mode key shape only; the sandbox accepts any `sk_test_…`. */
export const testApiKey = 'sk_test_paycall_sandbox';

export interface TestSandbox {
  sandbox: StripeSandbox;
  dataDir: string;
  /** The real stripe client for this sandbox; retries off unless asked for. */
  client(config?: Stripe.StripeConfig, apiKey?: string): Stripe;
  /** Stops the sandbox and starts a new one on the same data dir (and a new port). */
  restart(): Promise<void>;
  /** Stops the sandbox and deletes its data dir. */
  stop(): Promise<void>;
}

export async function startTestSandbox(): Promise<TestSandbox> {
  const dataDir = mkdtempSync(join(tmpdir(), 'paycall-stripe-sandbox-'));
  const logger = createLogger('stripe-sandbox', process.env.SANDBOX_LOG_LEVEL ?? 'silent');
  const start = () => startStripeSandbox({ port: 0, host: '127.0.0.1', dataDir, logger });
  const t: TestSandbox = {
    sandbox: await start(),
    dataDir,
    client(config = {}, apiKey = testApiKey) {
      return new Stripe(apiKey, {
        host: t.sandbox.host,
        port: t.sandbox.port,
        protocol: 'http',
        maxNetworkRetries: 0,
        telemetry: false,
        ...config,
      });
    },
    async restart() {
      await t.sandbox.close();
      t.sandbox = await start();
    },
    async stop() {
      await t.sandbox.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}

/** Runs `fn`, expecting it to throw; returns the error (fails the test if nothing is thrown). */
export async function caught(fn: () => Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await fn();
  } catch (err) {
    return err as Stripe.errors.StripeError;
  }
  throw new Error('expected the call to throw, it resolved');
}
