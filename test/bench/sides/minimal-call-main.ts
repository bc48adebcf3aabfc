/**
 * The minimal durable call as its own process (started by the benchmark), shaped like
 * `npm start`'s paycall: one process with the Stripe sandbox (the simulator tokenizes the
 * card there), a Temporal worker (SDK defaults; the workflow bundle prebuilt by the bench)
 * and the webhooks, against the bench's dev server.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { mountMinimalCall } from './minimal-call-app.js';
import { loadOrders, readSettings, referenceApp, serve, startSandbox } from './reference-server.js';

const settings = readSettings();
if (!settings.temporal) throw new Error('the minimal durable call needs its Temporal settings');
const { address, namespace, taskQueue, workflowBundlePath } = settings.temporal;

const sandbox = await startSandbox(settings);
const orders = await loadOrders(settings.ordersFile);
const workerConnection = await NativeConnection.connect({ address });
const worker = await Worker.create({ connection: workerConnection, namespace, taskQueue, workflowBundle: { codePath: workflowBundlePath } });
const running = worker.run();
const connection = await Connection.connect({ address });
const client = new Client({ connection, namespace });

const app = referenceApp(settings, (router) => mountMinimalCall(router, { client, taskQueue, orders, publicBaseUrl: settings.publicBaseUrl, paymentConnector: 'Default' }));
await serve(app, settings, [
  async () => {
    worker.shutdown();
    await running;
  },
  () => connection.close(),
  () => workerConnection.close(),
  () => sandbox.close(),
]);
