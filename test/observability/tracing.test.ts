/**
 * Optional OpenTelemetry tracing, on because OTEL_EXPORTER_OTLP_ENDPOINT names a collector (a
 * small OTLP/HTTP JSON receiver here). A call driven through paycall's client and worker
 * produces one trace: the client's Update-With-Start, the workflow run, the Update handler,
 * and the lookupOrder activity scheduled and run. The spans are exported from the web side,
 * the workflow sandbox (through the sink) and the activity, and they share one trace id.
 * Without the variable, startTracing gives nothing.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config/config.js';
import { startTracing, tracesUrl, type Tracing } from '../../src/observability/tracing.js';
import { createLogger } from '../../src/logging/logger.js';
import { startStripeSandbox, type StripeSandbox } from '../../src/stand-ins/stripe-sandbox/server.js';
import { connectClient, connectWorker, type TemporalClient } from '../../src/temporal/connect.js';
import { buildActivities } from '../../src/worker/activity-deps.js';
import { startWorker, type RunningWorker } from '../../src/worker/worker.js';
import { quietRuntime, uniqueCallSid, uniqueTaskQueue } from '../helpers/temporal.js';
import { TestCall } from '../helpers/test-call.js';

interface OtlpSpan {
  traceId: string;
  name: string;
  attributes?: { key: string; value: { stringValue?: string } }[];
}
interface OtlpExport {
  resourceSpans: { resource?: { attributes?: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
}

const received: { path: string; body: OtlpExport }[] = [];
let collector: http.Server;
let collectorUrl = '';
let sandbox: StripeSandbox;
let config: Config;
let tracing: Tracing;
let temporal: TemporalClient;
let worker: RunningWorker;
let closeWorkerConnection: () => Promise<void>;

beforeAll(async () => {
  quietRuntime();
  collector = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(body) as OtlpExport });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;

  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'paycall-tracing-'));
  const ordersFile = path.join(dataDir, 'orders.json');
  await writeFile(ordersFile, JSON.stringify([{ orderId: '94001', amount: 1999, currency: 'usd', description: 'two concert tickets', status: 'unpaid' }]));
  sandbox = await startStripeSandbox({ port: 0, dataDir, logger: createLogger('sandbox', 'silent') });
  const env = {
    DATA_DIR: dataDir,
    ORDERS_FILE: ordersFile,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: inject('temporalNamespace'),
    TEMPORAL_TASK_QUEUE: uniqueTaskQueue('tracing'),
    STRIPE_API_BASE: sandbox.url,
    OTEL_EXPORTER_OTLP_ENDPOINT: `${collectorUrl}/`,
    OTEL_SERVICE_NAME: 'paycall-test',
  };
  config = loadConfig(env);
  tracing = startTracing(config, 'paycall')!;
  temporal = await connectClient(config, { env, clientInterceptors: tracing.clientInterceptors() });
  const workerConnection = await connectWorker(config, { env });
  closeWorkerConnection = () => workerConnection.connection.close();
  worker = await startWorker({
    connection: workerConnection.connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities: await buildActivities(config),
    tracing,
  });
});
afterAll(async () => {
  await worker?.shutdown();
  await closeWorkerConnection?.();
  await temporal?.close();
  await sandbox?.close();
  await new Promise<void>((resolve) => collector?.close(() => resolve()));
});

describe('OpenTelemetry tracing', () => {
  it('is off without OTEL_EXPORTER_OTLP_ENDPOINT, and the endpoint gets /v1/traces', () => {
    expect(startTracing(loadConfig({}), 'paycall')).toBeUndefined();
    expect(tracesUrl('http://collector:4318/')).toBe('http://collector:4318/v1/traces');
  });

  it('traces a call from the Update through the workflow into its activity, in one trace', async () => {
    const call = new TestCall(temporal.client, config.TEMPORAL_TASK_QUEUE, { callSid: uniqueCallSid(), locale: 'en-US' });
    await call.start();
    await call.press('94001#');
    await call.hangUp();
    expect((await call.outcome()).outcome).toBe('abandoned');
    await worker.shutdown(); // the workflow's last spans leave through the sink as its task completes
    await tracing.shutdown();

    expect(received.length).toBeGreaterThan(0);
    expect(new Set(received.map((r) => r.path))).toEqual(new Set(['/v1/traces']));
    const spans = received.flatMap((r) => r.body.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)));
    const names = spans.map((s) => s.name);
    for (const name of [
      'UpdateWithStartWorkflow:callerEvent',
      'RunWorkflow:callWorkflow',
      'StartWorkflowUpdate:callerEvent',
      'HandleUpdate:callerEvent',
      'StartActivity:lookupOrder',
      'RunActivity:lookupOrder',
      'SignalWorkflow:callStatus',
      'HandleSignal:callStatus',
    ]) {
      expect(names, name).toContain(name);
    }
    const traceOf = (name: string) => spans.find((s) => s.name === name)!.traceId;
    const spansOfTrace = (traceId: string) => spans.filter((s) => s.traceId === traceId).map((s) => s.name);
    // The first webhook's trace: the client's Update-With-Start, the workflow run, its activity scheduled and run.
    const firstWebhook = traceOf('UpdateWithStartWorkflow:callerEvent');
    expect(spansOfTrace(firstWebhook)).toEqual(expect.arrayContaining(['RunWorkflow:callWorkflow', 'HandleUpdate:callerEvent', 'StartActivity:lookupOrder', 'RunActivity:lookupOrder']));
    // Each later webhook is its own trace, from the client's call into the workflow's handler.
    expect(spansOfTrace(traceOf('StartWorkflowUpdate:callerEvent'))).toContain('HandleUpdate:callerEvent');
    expect(spansOfTrace(traceOf('SignalWorkflow:callStatus'))).toContain('HandleSignal:callStatus');
    const serviceNames = new Set(received.flatMap((r) => r.body.resourceSpans.flatMap((rs) => rs.resource?.attributes?.filter((a) => a.key === 'service.name').map((a) => a.value.stringValue) ?? [])));
    expect(serviceNames).toEqual(new Set(['paycall-test']));
    // Spans name steps and ids, never card data.
    expect(JSON.stringify(received)).not.toMatch(/4242424242424242/);
  });
});
