/**
 * paycall hearing from Stripe, for real: the run's Temporal dev server, a worker with the
 * call, refund and payment events workflows (real Stripe activities against a local Stripe
 * sandbox, in-memory orders, readCallRecord on the worker's own client), and paycall's web
 * app with POST /stripe/webhook and the operator API. The sandbox delivers its signed events
 * to that route; its "later" changes happen only on control calls, so each test drives them.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { createCallRecordActivities } from '../../../src/activities/call-records.js';
import { createPaymentEventActivities } from '../../../src/activities/payment-events.js';
import { CallGateway } from '../../../src/calls/call-gateway.js';
import { PaymentEventsGateway } from '../../../src/calls/payment-events-gateway.js';
import { loadConfig } from '../../../src/config/config.js';
import { handledStripeEventTypes } from '../../../src/contract/payment-events.js';
import { createLogger } from '../../../src/logging/logger.js';
import { startStripeSandbox, type StripeSandbox } from '../../../src/stand-ins/stripe-sandbox/server.js';
import { createStripeClient } from '../../../src/stripe/stripe-client.js';
import { createWebApp } from '../../../src/web/app.js';
import { historiesDir } from '../../e2e/history-recorder.js';
import { connectTestTemporal, uniqueTaskQueue, workflowBundle, type TestTemporal } from '../../helpers/temporal.js';
import { operatorTestActivities, TestOrders } from '../../operators/support/scenarios.js';

export const operatorToken = 'test-operator-token-stripe-events';
export const webhookSecret = 'whsec_test_paycall_stripe_events_0123456789';

/** JSON log lines a logger wrote. */
export class LogLines {
  readonly lines: Record<string, unknown>[] = [];
  readonly stream = { write: (line: string) => void this.lines.push(JSON.parse(line) as Record<string, unknown>) };
  where(match: Record<string, unknown>): Record<string, unknown>[] {
    return this.lines.filter((line) => Object.entries(match).every(([k, v]) => line[k] === v));
  }
}

export interface StripeEventsStack {
  temporal: TestTemporal;
  sandbox: StripeSandbox;
  stripe: ReturnType<typeof createStripeClient>;
  orders: TestOrders;
  taskQueue: string;
  baseUrl: string;
  /** The activities' log (alert lines) and the web log. */
  alerts: LogLines;
  webLog: LogLines;
  api(path: string, init?: RequestInit): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function startStripeEventsStack(): Promise<StripeEventsStack> {
  const temporal = await connectTestTemporal();
  const orders = new TestOrders();
  const taskQueue = uniqueTaskQueue('stripe-events');
  const alerts = new LogLines();
  const webLog = new LogLines();

  // The web server first: the sandbox needs its URL.
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'paycall-stripe-events-'));
  const sandbox = await startStripeSandbox({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    logger: createLogger('stripe-sandbox', process.env.SANDBOX_LOG_LEVEL ?? 'silent'),
    // The events a Dashboard endpoint for paycall enables (docs/stripe-webhooks.md).
    webhookEndpoints: [{ url: `${baseUrl}/stripe/webhook`, secret: webhookSecret, enabledEvents: [...handledStripeEventTypes] }],
    asyncDelayMs: null,
    webhookRetryDelaysMs: [200, 500, 1000],
    webhookTimeoutMs: 5000,
    env: {},
  });
  const stripe = createStripeClient({ secretKey: 'sk_test_paycall_sandbox', apiBase: sandbox.url, maxNetworkRetries: 0, timeoutMs: 5000 });

  const worker = await Worker.create({
    connection: temporal.nativeConnection,
    namespace: temporal.namespace,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: {
      ...operatorTestActivities(stripe, orders),
      ...createPaymentEventActivities({ stripe, logger: createLogger('paycall-activities', 'info', alerts.stream) }),
      ...createCallRecordActivities(temporal.client),
    },
  });
  const running = worker.run();

  const config = loadConfig({ PUBLIC_BASE_URL: baseUrl });
  const app = createWebApp({
    gateway: new CallGateway(temporal.client, { taskQueue, deadlineMs: 3000 }),
    config,
    authToken: 'test-auth-token-0123456789abcdef',
    receiptsEnabled: false,
    logger: createLogger('stripe-events-test-web', 'debug', webLog.stream),
    stripe: { webhookSecret, events: new PaymentEventsGateway(temporal.client, { taskQueue, deadlineMs: 3000 }) },
    operators: { client: temporal.client, namespace: temporal.namespace, taskQueue, token: operatorToken, refundWaitMs: 10_000 },
  });
  server.on('request', app);

  return {
    temporal,
    sandbox,
    stripe,
    orders,
    taskQueue,
    baseUrl,
    alerts,
    webLog,
    async api(apiPath, init = {}) {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${operatorToken}`);
      if (init.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
      const response = await fetch(`${baseUrl}${apiPath}`, { ...init, headers });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      worker.shutdown();
      await running;
      await sandbox.close();
      await rm(dataDir, { recursive: true, force: true });
      await temporal.close();
    },
  };
}

/** Polls until `check` passes; returns the last value either way (the test's expect says what was wrong). */
export async function eventually<T>(fn: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** With RECORD_HISTORIES (npm run histories:record), saves a workflow's history so far for the replay net, as `stripe-<name>.json`. */
export async function recordHistoryIfAsked(client: Client, workflowId: string, name: string): Promise<void> {
  if (!process.env.RECORD_HISTORIES) return;
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  await mkdir(historiesDir, { recursive: true });
  await writeFile(path.join(historiesDir, `stripe-${name}.json`), `${historyToJSON(history)}\n`);
}
