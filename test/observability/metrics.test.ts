/**
 * Metrics after a few calls placed by the phone simulator against the real web app and worker
 * (Temporal, the Stripe sandbox, the JSON order book), scraped from the operations port as
 * Prometheus would: paycall's own series with their labels, and the Temporal SDK's from the
 * same /metrics (the Runtime's exporter on loopback, appended). This process installs the
 * Runtime itself, so it runs in its own test file.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CallGateway } from '../../src/calls/call-gateway.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { callWorkflowId } from '../../src/contract/call.js';
import { createLogger } from '../../src/logging/logger.js';
import { PaycallMetrics } from '../../src/observability/metrics.js';
import { processMetrics, sdkMetricsExporter } from '../../src/observability/sdk-metrics.js';
import { CallQueries } from '../../src/operators/read/call-queries.js';
import { RefundService } from '../../src/operators/refunds.js';
import { placeCall, type PlaceCallOptions } from '../../src/stand-ins/phone-simulator/index.js';
import { startStripeSandbox, type StripeSandbox } from '../../src/stand-ins/stripe-sandbox/server.js';
import { connectClient, connectWorker, type TemporalClient } from '../../src/temporal/connect.js';
import { createWebApp } from '../../src/web/app.js';
import { buildActivities } from '../../src/worker/activity-deps.js';
import { startOperationsServer, type HealthServer } from '../../src/observability/operations-server.js';
import { startWorker, type RunningWorker } from '../../src/worker/worker.js';
import { uniqueTaskQueue } from '../helpers/temporal.js';

const authToken = 'metrics-auth-token-0123456789abcdef';
const goodCard = { cardNumber: '4242424242424242', expiry: '1234', securityCode: '123' };

let sandbox: StripeSandbox;
let config: Config;
let temporal: TemporalClient;
let worker: RunningWorker;
let closeWorkerConnection: () => Promise<void>;
let web: http.Server;
let webUrl = '';
let operations: HealthServer;

beforeAll(async () => {
  const sdk = await sdkMetricsExporter();
  Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { metrics: sdk.metrics } });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'paycall-metrics-'));
  const ordersFile = path.join(dataDir, 'orders.json');
  const order = (orderId: string) => ({ orderId, amount: 1999, currency: 'usd', description: 'two concert tickets', status: 'unpaid' });
  await writeFile(ordersFile, JSON.stringify(['92001', '92002', '92003', '92004', '92005'].map(order)));
  sandbox = await startStripeSandbox({ port: 0, dataDir, logger: createLogger('sandbox', 'silent') });

  web = http.createServer();
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
  const env = {
    PUBLIC_BASE_URL: webUrl,
    DATA_DIR: dataDir,
    ORDERS_FILE: ordersFile,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: inject('temporalNamespace'),
    TEMPORAL_TASK_QUEUE: uniqueTaskQueue('metrics'),
    STRIPE_API_BASE: sandbox.url,
    TWILIO_AUTH_TOKEN: authToken,
    WEBHOOK_DEADLINE_MS: '1000',
    LOG_LEVEL: 'silent',
  };
  config = loadConfig(env);
  const metrics = new PaycallMetrics();
  temporal = await connectClient(config, { env });
  const gateway = new CallGateway(temporal.client, {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    deadlineMs: config.WEBHOOK_DEADLINE_MS,
    onDeadlineMiss: (operation) => metrics.deadlineMisses.inc({ operation }),
  });
  web.on('request', createWebApp({ gateway, config, authToken, receiptsEnabled: false, logger: createLogger('web', 'silent'), metrics }));

  const workerConnection = await connectWorker(config, { env });
  closeWorkerConnection = () => workerConnection.connection.close();
  worker = await startWorker({
    connection: workerConnection.connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities: await buildActivities(config),
    metrics,
  });
  operations = await startOperationsServer({ worker: worker.worker, metrics: processMetrics(metrics, sdk.url) }, 0, '127.0.0.1');
});
afterAll(async () => {
  await operations?.close();
  await worker?.shutdown();
  await closeWorkerConnection?.();
  web?.closeAllConnections();
  await new Promise<void>((resolve) => web?.close(() => resolve()));
  await temporal?.close();
  await sandbox?.close();
});

const call = (options: Omit<PlaceCallOptions, 'url' | 'authToken' | 'stripeUrl'>) => placeCall({ url: webUrl, authToken, stripeUrl: sandbox.url, ...options });

async function scrape(): Promise<{ text: string; contentType: string | null }> {
  const response = await fetch(`http://127.0.0.1:${operations.port}/metrics`);
  expect(response.status).toBe(200);
  return { text: await response.text(), contentType: response.headers.get('content-type') };
}

/** The value of one series, e.g. value(text, 'paycall_calls_ended_total', { outcome: 'paid' }). */
function value(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => present[k] === v)) return Number(match[3]);
  }
  return undefined;
}

describe('metrics', () => {
  it('count webhooks, holds, calls by outcome, declines, charges and refunds, next to the SDK runtime metrics', async () => {
    const paid = await call({ steps: [{ gather: '92001#' }, { gather: '1' }, { pay: goodCard }] });
    const declined = await call({ steps: [{ gather: '92002#' }, { gather: '1' }, { pay: { ...goodCard, cardNumber: '4000000000000002' } }, { pay: goodCard }] });
    await call({ steps: [{ gather: '92003#' }, { hangup: 'now' }] });
    // A slow Stripe: the charge outlasts the webhook deadline, so the caller is held.
    sandbox.faults.set({ latencyMs: 2500 });
    const held = await call({ steps: [{ gather: '92004#' }, { gather: '1' }, { pay: goodCard }] });
    sandbox.faults.set({ latencyMs: 0 });
    for (const record of [paid, declined, held]) {
      expect((await temporal.client.workflow.getHandle(callWorkflowId(record.callSid)).result()).outcome).toBe('paid');
    }
    const queries = new CallQueries(temporal.client, { namespace: config.TEMPORAL_NAMESPACE });
    const refunded = await new RefundService(temporal.client, queries, { taskQueue: config.TEMPORAL_TASK_QUEUE, waitMs: 10_000 }).refund(paid.callSid, { full: true });
    expect(refunded.refund.status).toBe('refunded');

    // Calls end in the worker after the last webhook: wait until all four are counted.
    let text = '';
    for (let i = 0; i < 50; i++) {
      text = (await scrape()).text;
      if ((value(text, 'paycall_calls_ended_total', { outcome: 'paid' }) ?? 0) >= 3 && value(text, 'paycall_calls_ended_total', { outcome: 'abandoned' })) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const { contentType } = await scrape();
    expect(contentType).toContain('text/plain');

    expect(value(text, 'paycall_calls_started_total')).toBe(4);
    expect(value(text, 'paycall_calls_ended_total', { outcome: 'paid' })).toBe(3);
    expect(value(text, 'paycall_calls_ended_total', { outcome: 'abandoned' })).toBe(1);
    expect(value(text, 'paycall_webhook_requests_total', { route: 'voice', status: '200' })).toBe(4);
    expect(value(text, 'paycall_webhook_requests_total', { route: 'pay', status: '200' })).toBe(4);
    expect(value(text, 'paycall_webhook_requests_total', { route: 'status', status: '204' })).toBeGreaterThanOrEqual(4);
    expect(value(text, 'paycall_webhook_requests_total', { route: 'continue', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(value(text, 'paycall_webhook_duration_seconds_count', { route: 'gather' })).toBeGreaterThanOrEqual(7);
    expect(value(text, 'paycall_webhook_duration_seconds_bucket', { route: 'voice', le: '15' })).toBe(4);
    expect(value(text, 'paycall_call_holds_total', { event: 'pay-result', hold: 'first' })).toBe(1);
    expect(value(text, 'paycall_update_deadline_misses_total', { operation: 'caller-event' })).toBeGreaterThanOrEqual(1);
    expect(value(text, 'paycall_card_declines_total', { code: 'generic_decline' })).toBe(1);
    expect(value(text, 'paycall_charge_duration_seconds_count', { result: 'succeeded' })).toBe(3);
    expect(value(text, 'paycall_charge_duration_seconds_count', { result: 'declined' })).toBe(1);
    // The slow charge took at least the injected 2.5 s.
    expect(value(text, 'paycall_charge_duration_seconds_bucket', { result: 'succeeded', le: '2' })).toBe(2);
    expect(value(text, 'paycall_refunds_total', { status: 'succeeded' })).toBe(1);
    expect(text).toMatch(/^process_cpu_seconds_total /m);

    // The SDK Runtime's own, from the same scrape.
    for (const name of [
      'temporal_workflow_task_execution_latency_bucket',
      'temporal_workflow_task_schedule_to_start_latency_bucket',
      'temporal_activity_execution_latency_count',
      'temporal_sticky_cache_size',
    ]) {
      expect(text, name).toMatch(new RegExp(`^${name}\\{[^}]*task_queue="${config.TEMPORAL_TASK_QUEUE}"`, 'm'));
    }
    expect(text).toMatch(/^temporal_sticky_cache_(hit|total_forced_eviction)/m);
    console.log(
      text
        .split('\n')
        .filter((line) => /^(paycall_(calls|call_holds|card_declines|refunds|update_deadline)|paycall_webhook_requests_total\{route="pay"|temporal_(sticky_cache_size|workflow_task_schedule_to_start_latency_count))/.test(line))
        .join('\n'),
    );
  });
});
