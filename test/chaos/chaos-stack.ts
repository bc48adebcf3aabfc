/**
 * Everything a chaos run starts, in one place, and stops again in reverse order whatever
 * happened: a Temporal dev server on a database file (so it can be restarted on the same
 * port without losing calls), the Stripe sandbox with the fault gate in front of it, a real
 * PostgreSQL order book holding the run's orders, paycall's worker and web processes
 * (test/helpers/paycall-processes.ts), the webhook front over the webs, and the harness's
 * own Temporal client and Stripe observer.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type Stripe from 'stripe';
import { createLogger } from '../../src/logging/logger.js';
import { startStripeSandbox, type StripeSandbox } from '../../src/stand-ins/stripe-sandbox/server.js';
import { createStripeClient } from '../../src/stripe/stripe-client.js';
import { connectClient, type TemporalClient } from '../../src/temporal/connect.js';
import { freePort, startDevServer, type DevServer } from '../../src/temporal/dev-server.js';
import { resolveTemporalCli } from '../../src/temporal/temporal-cli.js';
import { startPaycallProcesses, type PaycallProcesses } from '../helpers/paycall-processes.js';
import { startOrderBookDatabase, type OrderBookDatabase } from '../helpers/postgres-orders.js';
import { startWebhookFront, type WebhookFront } from '../helpers/webhook-front.js';
import type { PlannedOrder } from './call-plan.js';
import type { Random } from './random.js';
import { startStripeFaultGate, type StripeFaultGate } from './stripe-fault-gate.js';

export const chaosAuthToken = 'chaos-auth-token-0123456789abcdef';
const taskQueue = 'paycall-chaos';

export interface ChaosStackOptions {
  dataDir: string;
  orders: PlannedOrder[];
  workers: number;
  webs: number;
  stripeErrorRate: number;
  stripeDropRate: number;
  duplicateRate: number;
  random: { front: Random; stripe: Random };
  /** Extra environment for paycall's processes. */
  env?: Record<string, string>;
}

export interface ChaosTemporal {
  address: string;
  namespace: string;
  /** Stops the server and starts it again on the same port and database file; resolves with the downtime in ms. */
  restart(): Promise<number>;
}

export interface ChaosStack {
  dataDir: string;
  temporal: ChaosTemporal;
  sandbox: StripeSandbox;
  gate: StripeFaultGate;
  orderBook: OrderBookDatabase;
  front: WebhookFront;
  processes: PaycallProcesses;
  client: Client;
  /** Reads Stripe directly (not through the fault gate). */
  stripe: Stripe;
  authToken: string;
  close(): Promise<void>;
}

/** Stops what was started, newest first; every step runs even if an earlier one failed. */
class Teardown {
  private readonly steps: Array<{ name: string; run: () => Promise<unknown> }> = [];
  add(name: string, run: () => Promise<unknown>): void {
    this.steps.push({ name, run });
  }
  async run(): Promise<string[]> {
    const problems: string[] = [];
    for (const step of this.steps.reverse()) {
      try {
        await step.run();
      } catch (err) {
        problems.push(`${step.name}: ${(err as Error).message}`);
      }
    }
    this.steps.length = 0;
    return problems;
  }
}

export async function startChaosStack(options: ChaosStackOptions): Promise<ChaosStack> {
  const teardown = new Teardown();
  try {
    const cliPath = (await resolveTemporalCli()).path;
    const port = await freePort();
    const dbFilename = path.join(options.dataDir, 'temporal.db');
    let server: DevServer = await startDevServer({ cliPath, port, dbFilename });
    teardown.add('temporal', () => server.stop());
    const temporal: ChaosTemporal = {
      address: server.address,
      namespace: server.namespace,
      async restart() {
        const down = Date.now();
        await server.stop();
        server = await startDevServer({ cliPath, port, dbFilename });
        return Date.now() - down;
      },
    };

    const sandbox = await startStripeSandbox({ port: 0, dataDir: options.dataDir, logger: createLogger('sandbox', 'silent'), webhookEndpoints: [], env: {} });
    teardown.add('stripe sandbox', () => sandbox.close());
    const gate = await startStripeFaultGate({
      target: sandbox.url,
      errorRate: options.stripeErrorRate,
      dropAfterChargeRate: options.stripeDropRate,
      random: () => options.random.stripe.next(),
    });
    teardown.add('stripe fault gate', () => gate.close());

    const orderBook = await startOrderBookDatabase(options.orders);
    teardown.add('postgres', () => orderBook.stop());

    const front = await startWebhookFront({ duplicateRate: options.duplicateRate, random: () => options.random.front.next() });
    teardown.add('webhook front', () => front.close());

    const processes = await startPaycallProcesses({
      temporalAddress: temporal.address,
      temporalNamespace: temporal.namespace,
      taskQueue,
      databaseUrl: orderBook.databaseUrl,
      stripeApiBase: gate.url,
      publicBaseUrl: front.url,
      twilioAuthToken: chaosAuthToken,
      workers: options.workers,
      webs: options.webs,
      dataDir: options.dataDir,
      ...(options.env ? { env: options.env } : {}),
    });
    teardown.add('paycall processes', () => processes.close());
    front.setBackends(processes.webUrls);

    const temporalClient: TemporalClient = await connectClient(
      { PAYLOAD_ENCRYPTION_KEY_ID: 'k1' },
      { env: { TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: temporal.namespace } },
    );
    teardown.add('temporal client', () => temporalClient.close());
    const stripe = createStripeClient({ secretKey: 'sk_test_chaos_reconciler', apiBase: sandbox.url, maxNetworkRetries: 2 });

    return {
      dataDir: options.dataDir,
      temporal,
      sandbox,
      gate,
      orderBook,
      front,
      processes,
      client: temporalClient.client,
      stripe,
      authToken: chaosAuthToken,
      async close() {
        const problems = await teardown.run();
        if (problems.length) throw new Error(`chaos teardown: ${problems.join('; ')}`);
      },
    };
  } catch (err) {
    await teardown.run();
    throw err;
  }
}

/** Removes a run's data directory (Temporal's database, the sandbox state, the process logs). */
export async function removeDataDir(dataDir: string): Promise<void> {
  await rm(dataDir, { recursive: true, force: true });
}
