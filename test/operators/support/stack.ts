/**
 * The operator tools running for real, for API and browser tests: the run's Temporal dev
 * server, a worker (call + refund workflows; Stripe activities against a local Stripe
 * sandbox; in-memory orders) and paycall's web app with the API and console mounted.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from '@temporalio/worker';
import { CallGateway } from '../../../src/calls/call-gateway.js';
import { loadConfig } from '../../../src/config/config.js';
import { createLogger } from '../../../src/logging/logger.js';
import { createWebApp } from '../../../src/web/app.js';
import { startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';
import { connectTestTemporal, uniqueTaskQueue, workflowBundle, type TestTemporal } from '../../helpers/temporal.js';
import { operatorTestActivities, TestOrders } from './scenarios.js';

export const operatorToken = 'test-operator-token-5b0f1c';

export interface OperatorStack {
  temporal: TestTemporal;
  sandbox: TestSandbox;
  orders: TestOrders;
  taskQueue: string;
  baseUrl: string;
  /** fetch against the web app; sends the operator token unless `token: null`. */
  api(path: string, init?: RequestInit & { token?: string | null }): Promise<{ status: number; body: any; text: string; headers: Headers }>;
  close(): Promise<void>;
}

export async function startOperatorStack(options: { token?: string | undefined; refundWaitMs?: number } = { token: operatorToken }): Promise<OperatorStack> {
  const temporal = await connectTestTemporal();
  const sandbox = await startTestSandbox();
  const orders = new TestOrders();
  const taskQueue = uniqueTaskQueue('operators');
  const worker = await Worker.create({
    connection: temporal.nativeConnection,
    namespace: temporal.namespace,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: operatorTestActivities(sandbox.stripe(), orders),
  });
  const running = worker.run();

  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = loadConfig({ PUBLIC_BASE_URL: baseUrl });
  const app = createWebApp({
    gateway: new CallGateway(temporal.client, { taskQueue, deadlineMs: 3000 }),
    config,
    authToken: 'test-auth-token-0123456789abcdef',
    receiptsEnabled: false,
    logger: createLogger('operator-test-web', 'silent'),
    operators: {
      client: temporal.client,
      namespace: temporal.namespace,
      taskQueue,
      token: 'token' in options ? options.token : operatorToken,
      temporalUiUrl: 'http://localhost:8233',
      ...(options.refundWaitMs ? { refundWaitMs: options.refundWaitMs } : {}),
    },
  });
  server.on('request', app);

  return {
    temporal,
    sandbox,
    orders,
    taskQueue,
    baseUrl,
    async api(path, init = {}) {
      const { token = operatorToken, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (token !== null) headers.set('authorization', `Bearer ${token}`);
      if (rest.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
      const response = await fetch(`${baseUrl}${path}`, { ...rest, headers });
      const text = await response.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      return { status: response.status, body, text, headers: response.headers };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      worker.shutdown();
      await running;
      await sandbox.stop();
      await temporal.close();
    },
  };
}

/** Visibility is eventually consistent: polls until `check` passes (or the time is up). */
export async function eventually<T>(fn: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
