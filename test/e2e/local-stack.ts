/**
 * The full local stack for end-to-end tests: the run's Temporal dev server, the Stripe
 * sandbox, a worker with the real activities (in this process, or as a child process that
 * a test can kill), and the web server, all wired by paycall's own config. Calls are
 * placed with the phone simulator.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type Stripe from 'stripe';
import { inject } from 'vitest';
import { CallGateway } from '../../src/calls/call-gateway.js';
import { loadConfig, smsReceiptsEnabled, type Config } from '../../src/config/config.js';
import { callWorkflowId, type CallOutcome } from '../../src/contract/call.js';
import { createLogger } from '../../src/logging/logger.js';
import type { OperatorDirectory } from '../../src/operators/web/operator-directory.js';
import { startStripeSandbox, type StripeSandbox } from '../../src/stand-ins/stripe-sandbox/server.js';
import { placeCall, type CallRecord, type PlaceCallOptions } from '../../src/stand-ins/phone-simulator/index.js';
import { DEV_ACCOUNT_SID } from '../../src/stand-ins/phone-simulator/signing.js';
import { startTwilioStandIn, type TwilioStandIn } from '../../src/stand-ins/twilio-rest/server.js';
import { createStripeClient } from '../../src/stripe/stripe-client.js';
import { connectClient, connectWorker } from '../../src/temporal/connect.js';
import { createWebApp } from '../../src/web/app.js';
import { buildActivities } from '../../src/worker/activity-deps.js';
import { startWorker, type RunningWorker } from '../../src/worker/worker.js';
import { quietRuntime, uniqueTaskQueue } from '../helpers/temporal.js';

export const e2eAuthToken = 'e2e-auth-token-0123456789abcdef';

/**
 * Orders for the suite: one per scenario so scenarios never share an order's state, plus
 * the demo orders the files in scenarios/ use.
 */
export function e2eOrders(): unknown[] {
  const demo = JSON.parse(readFileSync('data/demo-orders.json', 'utf8')) as { orderId: string }[];
  const usd = Array.from({ length: 30 }, (_, i) => ({
    orderId: String(80001 + i),
    amount: 1999,
    currency: 'usd',
    description: 'two concert tickets',
    status: 'unpaid',
  }));
  return [...usd, { orderId: '85001', amount: 6480, currency: 'jpy', description: 'コンサートチケット2枚', status: 'unpaid' }, ...demo];
}

export interface LocalStack {
  config: Config;
  client: Client;
  sandbox: StripeSandbox;
  stripe: Stripe;
  webUrl: string;
  call(options: PlaceCallOptions): Promise<CallRecord>;
  outcome(callSid: string): Promise<CallOutcome>;
  /** The sandbox's PaymentIntents for a call (by metadata.call_sid). */
  paymentIntents(callSid: string): Promise<Stripe.PaymentIntent[]>;
  /** Stops the in-process worker (if any) and runs one as a child process. */
  startWorkerProcess(): Promise<ChildProcess>;
  startInProcessWorker(): Promise<void>;
  stopInProcessWorker(): Promise<void>;
  /** With `withOperators`: the Twilio REST stand-in the worker's live-call activities talk to. */
  twilioStandIn?: TwilioStandIn;
  /** Everything the run logged: the web app (JSON, info level) and worker processes' output. */
  logs: string[];
  dataDir: string;
  close(): Promise<void>;
}

export interface LocalStackOptions {
  /** Runs the Twilio REST stand-in (live-call Payments) and an operator line, with the operator API. */
  withOperators?: boolean;
  /** With `withOperators`: named operators for the API (default: e2eOperatorToken, the one operator `operator`). */
  operators?: OperatorDirectory;
}

/** The operator token of a stack started withOperators. */
export const e2eOperatorToken = 'e2e-operator-token-6c1d';

export async function startLocalStack(extraEnv: Record<string, string> = {}, options: LocalStackOptions = {}): Promise<LocalStack> {
  quietRuntime();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'paycall-e2e-'));
  const logs: string[] = [];
  const ordersFile = path.join(dataDir, 'orders.json');
  await writeFile(ordersFile, JSON.stringify(e2eOrders()));
  const sandbox = await startStripeSandbox({ port: 0, dataDir, logger: createLogger('sandbox', 'silent') });

  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const webUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const env: Record<string, string> = {
    PUBLIC_BASE_URL: webUrl,
    DATA_DIR: dataDir,
    ORDERS_FILE: ordersFile,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: inject('temporalNamespace'),
    TEMPORAL_TASK_QUEUE: uniqueTaskQueue('e2e'),
    STRIPE_API_BASE: sandbox.url,
    TWILIO_AUTH_TOKEN: e2eAuthToken,
    WEBHOOK_DEADLINE_MS: '2000',
    LOG_LEVEL: 'silent',
    ...extraEnv,
  };
  let twilioStandIn: TwilioStandIn | undefined;
  if (options.withOperators) {
    twilioStandIn = await startTwilioStandIn({ port: 0, authToken: e2eAuthToken, accountSid: DEV_ACCOUNT_SID, stripeUrl: sandbox.url, logger: createLogger('twilio-stand-in', 'silent') });
    Object.assign(env, { TWILIO_ACCOUNT_SID: DEV_ACCOUNT_SID, TWILIO_API_BASE: twilioStandIn.url, OPERATOR_NUMBER: '+15005550000', OPERATOR_TOKEN: e2eOperatorToken });
  }
  const config = loadConfig(env);
  const temporal = await connectClient(config, { env });
  const { client, connection } = temporal;
  const { connection: nativeConnection, dataConverter } = await connectWorker(config, { env });

  const gateway = new CallGateway(client, { taskQueue: config.TEMPORAL_TASK_QUEUE, deadlineMs: config.WEBHOOK_DEADLINE_MS });
  server.on(
    'request',
    createWebApp({
      gateway,
      config,
      authToken: e2eAuthToken,
      receiptsEnabled: smsReceiptsEnabled(config),
      logger: createLogger('web', 'info', { write: (line: string) => void logs.push(line) }),
      ...(options.withOperators
        ? { operators: { client, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE, token: e2eOperatorToken, ...(options.operators ? { directory: options.operators } : {}) } }
        : {}),
    }),
  );

  let worker: RunningWorker | undefined;
  const children: ChildProcess[] = [];
  const stripe = createStripeClient({ secretKey: 'sk_test_e2e_observer', apiBase: sandbox.url, maxNetworkRetries: 0 });

  const stack: LocalStack = {
    logs,
    dataDir,
    config,
    client,
    sandbox,
    stripe,
    webUrl,
    twilioStandIn,
    call: (callOptions) => placeCall({ url: webUrl, authToken: e2eAuthToken, stripeUrl: sandbox.url, ...(twilioStandIn ? { twilioUrl: twilioStandIn.url } : {}), ...callOptions }),
    outcome: (callSid) => client.workflow.getHandle(callWorkflowId(callSid)).result(),
    async paymentIntents(callSid) {
      const all = await stripe.paymentIntents.list({ limit: 100 });
      return all.data.filter((intent) => intent.metadata.call_sid === callSid);
    },
    async startInProcessWorker() {
      worker = await startWorker({
        connection: nativeConnection,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        activities: await buildActivities(config),
        ...(dataConverter ? { dataConverter } : {}),
      });
    },
    async stopInProcessWorker() {
      await worker?.shutdown();
      worker = undefined;
    },
    async startWorkerProcess() {
      await stack.stopInProcessWorker();
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker/main.ts'], {
        env: { ...process.env, ...env, LOG_FORMAT: 'json', LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let output = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`worker process did not start:\n${output}`)), 60_000);
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          logs.push(chunk.toString());
          if (output.includes('worker running')) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout?.on('data', onData);
        child.stderr?.on('data', onData);
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`worker process exited (${code}):\n${output}`));
        });
      });
      return child;
    },
    async close() {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
      await stack.stopInProcessWorker();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await twilioStandIn?.close();
      await sandbox.close();
      await nativeConnection.close();
      await connection.close();
    },
  };
  await stack.startInProcessWorker();
  return stack;
}
