/**
 * Rotating the payload key in the middle of a call, as docs/operations.md tells an operator:
 * a call starts with k1 encrypting, then client and worker restart with k2 encrypting and k1
 * only decrypting. The new worker replays the k1 history, the call completes and is charged
 * once, its history holds payloads under both key ids, and a call that ended before the
 * rotation still renders in the operator timeline. Real Temporal, real worker and activities
 * (JSON order book, Stripe sandbox).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Payload } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config/config.js';
import { callWorkflowId, type CallInput, type PayResult } from '../../src/contract/call.js';
import { createLogger } from '../../src/logging/logger.js';
import { CallQueries } from '../../src/operators/read/call-queries.js';
import { startStripeSandbox, type StripeSandbox } from '../../src/stand-ins/stripe-sandbox/server.js';
import { createStripeClient } from '../../src/stripe/stripe-client.js';
import { connectClient, connectWorker, type TemporalClient } from '../../src/temporal/connect.js';
import { buildActivities } from '../../src/worker/activity-deps.js';
import { startWorker, type RunningWorker } from '../../src/worker/worker.js';
import { quietRuntime, uniqueCallSid, uniqueTaskQueue } from '../helpers/temporal.js';
import { TestCall } from '../helpers/test-call.js';

const k1 = randomBytes(32).toString('base64');
const k2 = randomBytes(32).toString('base64');
const okCard: PayResult = { result: 'success', paymentToken: 'pm_card_visa', paymentCardType: 'visa', paymentCardNumber: 'xxxx-xxxx-xxxx-4242' };

let sandbox: StripeSandbox;
let baseEnv: Record<string, string>;

/** One paycall process generation: a client and a worker sharing one key configuration. */
interface Generation {
  config: Config;
  temporal: TemporalClient;
  worker: RunningWorker;
  stop(): Promise<void>;
}

async function startGeneration(keys: Record<string, string>): Promise<Generation> {
  const env = { ...baseEnv, ...keys };
  const config = loadConfig(env);
  const temporal = await connectClient(config, { env });
  const { connection, dataConverter } = await connectWorker(config, { env });
  const worker = await startWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities: await buildActivities(config),
    ...(dataConverter ? { dataConverter } : {}),
  });
  return {
    config,
    temporal,
    worker,
    async stop() {
      await worker.shutdown();
      await connection.close();
      await temporal.close();
    },
  };
}

async function rawPayloadKeyIds(temporal: TemporalClient, namespace: string, workflowId: string): Promise<Set<string>> {
  const { history } = await temporal.client.workflowService.getWorkflowExecutionHistory({ namespace, execution: { workflowId } });
  const ids = new Set<string>();
  const visit = (value: unknown): void => {
    if (!value || typeof value !== 'object') return;
    const payload = value as Payload;
    const keyId = payload.metadata?.['encryption-key-id'];
    if (keyId && payload.data) ids.add(new TextDecoder().decode(keyId));
    for (const child of Object.values(value)) visit(child);
  };
  visit(history);
  return ids;
}

beforeAll(async () => {
  quietRuntime();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'paycall-rotation-'));
  const ordersFile = path.join(dataDir, 'orders.json');
  const order = (orderId: string) => ({ orderId, amount: 1999, currency: 'usd', description: 'two concert tickets', status: 'unpaid' });
  await writeFile(ordersFile, JSON.stringify([order('91001'), order('91002')]));
  sandbox = await startStripeSandbox({ port: 0, dataDir, logger: createLogger('sandbox', 'silent') });
  baseEnv = {
    DATA_DIR: dataDir,
    ORDERS_FILE: ordersFile,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: inject('temporalNamespace'),
    TEMPORAL_TASK_QUEUE: uniqueTaskQueue('rotation'),
    STRIPE_API_BASE: sandbox.url,
    LOG_LEVEL: 'silent',
  };
});
afterAll(async () => {
  await sandbox?.close();
});

describe('payload key rotation', () => {
  it('a call started under k1 completes after the switch to k2, and the call that ended under k1 still renders', async () => {
    const before = await startGeneration({ PAYLOAD_ENCRYPTION_KEY: k1, PAYLOAD_ENCRYPTION_KEY_ID: 'k1' });
    const { config } = before;
    const finishedInput: CallInput = { callSid: uniqueCallSid(), locale: 'en-US' };
    const inFlightInput: CallInput = { callSid: uniqueCallSid(), locale: 'en-US' };
    let inFlight: TestCall;
    try {
      const finished = new TestCall(before.temporal.client, config.TEMPORAL_TASK_QUEUE, finishedInput);
      await finished.start();
      await finished.press('91001#');
      await finished.press('1');
      await finished.pay(okCard);
      expect((await finished.outcome()).outcome).toBe('paid');

      inFlight = new TestCall(before.temporal.client, config.TEMPORAL_TASK_QUEUE, inFlightInput);
      await inFlight.start();
      await inFlight.press('91002#');
      const payTurn = await inFlight.press('1');
      expect(payTurn.instructions.at(-1)).toMatchObject({ kind: 'pay' });
    } finally {
      await before.stop();
    }

    // Step 2 of the procedure done at once (the test has one process of each): k2 encrypts, k1 still decrypts.
    const after = await startGeneration({ PAYLOAD_ENCRYPTION_KEY: k2, PAYLOAD_ENCRYPTION_KEY_ID: 'k2', PAYLOAD_DECRYPTION_KEYS: `k1:${k1}` });
    try {
      const resumed = new TestCall(after.temporal.client, config.TEMPORAL_TASK_QUEUE, inFlightInput);
      resumed.current = inFlight!.current;
      const last = await resumed.pay(okCard);
      expect(last.final).toBe(true);
      const outcome = await resumed.outcome();
      expect(outcome).toMatchObject({ outcome: 'paid', orderId: '91002', amount: 1999, captureAttempts: 1 });
      const stripe = createStripeClient({ secretKey: 'sk_test_rotation', apiBase: sandbox.url, maxNetworkRetries: 0 });
      const intents = (await stripe.paymentIntents.list({ limit: 100 })).data.filter((intent) => intent.metadata.call_sid === inFlightInput.callSid);
      expect(intents).toHaveLength(1);

      const namespace = config.TEMPORAL_NAMESPACE;
      expect(await rawPayloadKeyIds(after.temporal, namespace, callWorkflowId(inFlightInput.callSid))).toEqual(new Set(['k1', 'k2']));
      expect(await rawPayloadKeyIds(after.temporal, namespace, callWorkflowId(finishedInput.callSid))).toEqual(new Set(['k1']));

      // The operator timeline reads the old history through the new process's key ring.
      const queries = new CallQueries(after.temporal.client, { namespace });
      const detail = await queries.detail(finishedInput.callSid);
      expect(detail.timeline.outcome).toMatchObject({ outcome: 'paid', orderId: '91001', confirmationCode: expect.stringMatching(/^\d{6}$/) });
      expect((await queries.detail(inFlightInput.callSid)).timeline.outcome).toMatchObject({ outcome: 'paid', orderId: '91002' });
    } finally {
      await after.stop();
    }

    // Without k1 in the ring the old history is unreadable: the procedure's last step waits for retention.
    const withoutOld = await connectClient(loadConfig({ ...baseEnv, PAYLOAD_ENCRYPTION_KEY: k2, PAYLOAD_ENCRYPTION_KEY_ID: 'k2' }), { env: baseEnv });
    try {
      await expect(withoutOld.client.workflow.getHandle(callWorkflowId(finishedInput.callSid)).result()).rejects.toThrow(/key id "k1"/);
    } finally {
      await withoutOld.close();
    }
  });
});
