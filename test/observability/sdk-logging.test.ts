/**
 * One log stream: with the Runtime installed as paycall's processes install it
 * (installSdkRuntime with a pino logger), the SDK's, the workflow's and an activity's log lines
 * all come out as pino JSON. They carry workflowId, runId and callSid, and are redacted like the
 * web logs. The activity here is paycall's real lookupOrder, wrapped to log a card-like number,
 * a phone number and a token on purpose. The worker, workflow and Temporal are real. This process
 * installs the Runtime itself, so it runs in its own test file.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config/config.js';
import { callWorkflowId } from '../../src/contract/call.js';
import { createLogger } from '../../src/logging/logger.js';
import { cardLikeNumbers } from '../../src/privacy/card-numbers.js';
import { startStripeSandbox, type StripeSandbox } from '../../src/stand-ins/stripe-sandbox/server.js';
import { connectClient, connectWorker, type TemporalClient } from '../../src/temporal/connect.js';
import { installSdkRuntime } from '../../src/temporal/sdk-logging.js';
import { buildActivities } from '../../src/worker/activity-deps.js';
import { startWorker, type RunningWorker } from '../../src/worker/worker.js';
import { uniqueCallSid, uniqueTaskQueue } from '../helpers/temporal.js';
import { TestCall } from '../helpers/test-call.js';

const testCard = '4242 4242 4242 4242';
const callerNumber = '+15005550006';
const lines: string[] = [];
let sandbox: StripeSandbox;
let config: Config;
let temporal: TemporalClient;
let worker: RunningWorker;
let closeWorkerConnection: () => Promise<void>;

beforeAll(async () => {
  installSdkRuntime({ level: 'debug', logger: createLogger('paycall-worker', 'debug', { write: (line: string) => void lines.push(line) }).child({ component: 'temporal' }) });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'paycall-logs-'));
  const ordersFile = path.join(dataDir, 'orders.json');
  await writeFile(ordersFile, JSON.stringify([{ orderId: '93001', amount: 1999, currency: 'usd', description: 'two concert tickets', status: 'unpaid' }]));
  sandbox = await startStripeSandbox({ port: 0, dataDir, logger: createLogger('sandbox', 'silent') });
  const env = {
    DATA_DIR: dataDir,
    ORDERS_FILE: ordersFile,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: inject('temporalNamespace'),
    TEMPORAL_TASK_QUEUE: uniqueTaskQueue('logs'),
    STRIPE_API_BASE: sandbox.url,
  };
  config = loadConfig(env);
  temporal = await connectClient(config, { env });
  const workerConnection = await connectWorker(config, { env });
  closeWorkerConnection = () => workerConnection.connection.close();
  const activities = await buildActivities(config);
  worker = await startWorker({
    connection: workerConnection.connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities: {
      ...activities,
      lookupOrder: async (orderId) => {
        // On purpose: what no code path should log, to see the logger take it out.
        Context.current().log.info(`looking up order ${orderId} for card ${testCard}`, { note: `caller ${callerNumber} read ${testCard.replace(/ /g, '')}`, paymentToken: 'pm_secret_like', pan: 4242424242424242 });
        return activities.lookupOrder(orderId);
      },
    },
  });
});
afterAll(async () => {
  await worker?.shutdown();
  await closeWorkerConnection?.();
  await temporal?.close();
  await sandbox?.close();
});

describe('SDK, workflow and activity logs through pino', () => {
  it("an activity's line carries the workflow id, run id and call sid, with no card-like number, phone number or token", async () => {
    const call = new TestCall(temporal.client, config.TEMPORAL_TASK_QUEUE, { callSid: uniqueCallSid(), locale: 'en-US' });
    await call.start();
    await call.press('93001#');
    await call.hangUp();
    expect((await call.outcome()).outcome).toBe('abandoned');
    const workflowId = callWorkflowId(call.input.callSid);
    const runId = (await temporal.client.workflow.getHandle(workflowId).describe()).runId;
    await new Promise((resolve) => setTimeout(resolve, 300)); // the SDK buffers forwarded logs for 100 ms

    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const activityLine = records.find((r) => typeof r.msg === 'string' && r.msg.startsWith('looking up order'));
    expect(activityLine).toMatchObject({
      level: 30,
      name: 'paycall-worker',
      component: 'temporal',
      sdkComponent: 'activity',
      activityType: 'lookupOrder',
      workflowId,
      runId,
      callSid: call.input.callSid,
      msg: 'looking up order 93001 for card [number removed]',
      note: 'caller +•••••••0006 read [number removed]',
      paymentToken: '[redacted]',
      pan: '[redacted]',
      taskToken: '[redacted]',
    });

    // Lines logged inside the workflow (the SDK's own "Workflow started/completed", through the workflow logger sink) carry the same ids.
    const workflowLines = records.filter((r) => r.workflowId === workflowId && typeof r.msg === 'string' && r.msg.startsWith('Workflow '));
    expect(workflowLines.map((r) => r.msg)).toEqual(expect.arrayContaining(['Workflow started', 'Workflow completed']));
    for (const line of workflowLines) expect(line).toMatchObject({ level: 20, runId, callSid: call.input.callSid, workflowType: 'callWorkflow', namespace: config.TEMPORAL_NAMESPACE });
    console.log([activityLine, workflowLines[0]].map((r) => JSON.stringify(r)).join('\n'));
    // And the worker's own (state changes).
    expect(records.some((r) => r.sdkComponent === 'worker' && typeof r.msg === 'string')).toBe(true);

    // pino's `time` is a 13-digit number that may pass Luhn: scan everything but it.
    const everything = records.map(({ time: _time, ...rest }) => JSON.stringify(rest)).join('\n');
    expect(cardLikeNumbers(everything)).toEqual([]);
    expect(everything).not.toContain('5005550006');
    expect(everything).not.toContain('pm_secret_like');
  });
});
