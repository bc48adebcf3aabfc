/**
 * The order activities (src/activities/orders.ts) through a real Temporal worker with each
 * real order book: the JSON file, PostgreSQL and the merchant's HTTP API. Transient trouble
 * (5xx, a timeout) is retried by Temporal until it succeeds; final answers (paid by another
 * payment, a 401) fail at once as non-retryable failures the workflow can handle.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderActivities } from '../../src/activities/orders.js';
import { HttpOrderBook } from '../../src/orders/http-order-book.js';
import { JsonFileOrderBook } from '../../src/orders/json-file-order-book.js';
import type { OrderBook } from '../../src/orders/order-book.js';
import { createPool } from '../../src/orders/postgres-connection.js';
import { importOrders, readOrdersFile } from '../../src/orders/postgres-import.js';
import { PostgresOrderBook } from '../../src/orders/postgres-order-book.js';
import { migrate } from '../../src/orders/postgres-schema.js';
import { startMerchantOrdersApi, type MerchantOrdersApi } from '../helpers/merchant-orders-api.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { connectTestTemporal, quietRuntime, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal.js';
import type { OrderStepsResult } from './support/order-steps-workflow.js';

let temporal: TestTemporal;
let bundle: WorkflowBundleWithSourceMap;
let db: TestPostgres;
let pgBook: PostgresOrderBook;
let api: MerchantOrdersApi;

beforeAll(async () => {
  quietRuntime();
  [temporal, bundle, db, api] = await Promise.all([
    connectTestTemporal(),
    bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('./support/order-steps-workflow.ts', import.meta.url)), logger: new DefaultLogger('WARN') }),
    startTestPostgres(),
    startMerchantOrdersApi({
      orders: [
        { orderId: '73021', amount: 1999, currency: 'usd', description: 'two concert tickets', status: 'unpaid' },
        { orderId: '73022', amount: 4500, currency: 'usd', description: 'a museum annual pass', status: 'unpaid' },
        { orderId: '73023', amount: 250, currency: 'usd', description: 'a parking permit', status: 'unpaid' },
      ],
    }),
  ]);
  const pool = createPool(db.url);
  await migrate(pool);
  await importOrders(pool, await readOrdersFile('data/demo-orders.json'));
  await pool.end();
  pgBook = await PostgresOrderBook.open(db.url);
});

afterAll(async () => {
  await pgBook?.close();
  await api?.close();
  await db?.stop();
  await temporal?.close();
});

/** Runs the order steps for one order on a worker whose activities use `book`. */
async function runOrderSteps(book: OrderBook, input: { orderId: string; paymentIntentId: string }): Promise<OrderStepsResult> {
  const taskQueue = uniqueTaskQueue('order-steps');
  const worker = await Worker.create({
    connection: temporal.nativeConnection,
    namespace: temporal.namespace,
    taskQueue,
    workflowBundle: bundle,
    activities: createOrderActivities(book),
  });
  return worker.runUntil(
    temporal.client.workflow.execute('orderStepsWorkflow', { taskQueue, workflowId: `order-steps-${taskQueue}`, args: [input], workflowExecutionTimeout: '1 minute' }),
  );
}

describe('order activities through Temporal', () => {
  it('JSON file book: looks up and marks paid', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'paycall-orders-activities-'));
    const result = await runOrderSteps(new JsonFileOrderBook('data/demo-orders.json', dataDir), { orderId: '73021', paymentIntentId: 'pi_json' });
    expect(result).toMatchObject({ found: { orderId: '73021', status: 'unpaid' }, paid: { status: 'paid', paymentIntentId: 'pi_json' } });
  });

  it('PostgreSQL book: marks paid; another PaymentIntent is a non-retryable OrderNotPayable', async () => {
    expect(await runOrderSteps(pgBook, { orderId: '73022', paymentIntentId: 'pi_pg_1' })).toMatchObject({ paid: { status: 'paid', paymentIntentId: 'pi_pg_1' } });
    const second = await runOrderSteps(pgBook, { orderId: '73022', paymentIntentId: 'pi_pg_2' });
    expect(second).toMatchObject({ found: { status: 'paid' }, failure: { step: 'mark-paid', type: 'OrderNotPayable', message: 'Order 73022 was already paid by another payment' } });
    expect(await pgBook.find('73022')).toMatchObject({ paymentIntentId: 'pi_pg_1' });
  });

  it('HTTP book: a 503 on the look-up and two on mark-paid, retried by Temporal until they succeed', async () => {
    const book = new HttpOrderBook({ baseUrl: api.baseUrl, token: api.token, timeoutMs: 2000 });
    const before = api.requests.length;
    api.answerNext(1, 503, { method: 'GET' });
    api.answerNext(2, 503, { method: 'POST' });
    const result = await runOrderSteps(book, { orderId: '73021', paymentIntentId: 'pi_http_5xx' });
    expect(result).toMatchObject({ found: { status: 'unpaid' }, paid: { status: 'paid', paymentIntentId: 'pi_http_5xx' } });
    const mine = api.requests.slice(before);
    expect(mine.map((r) => r.method)).toEqual(['GET', 'GET', 'POST', 'POST', 'POST']);
    // Every mark-paid attempt carries the same key: the API applies the payment once.
    for (const post of mine.filter((r) => r.method === 'POST')) expect(post.idempotencyKey).toBe('pi_http_5xx');
  });

  it('HTTP book: a timed-out attempt is retried and succeeds', async () => {
    const book = new HttpOrderBook({ baseUrl: api.baseUrl, token: api.token, timeoutMs: 300 });
    const before = api.requests.length;
    api.delayNext(1, 1500);
    const result = await runOrderSteps(book, { orderId: '73023', paymentIntentId: 'pi_http_slow' });
    expect(result.paid).toMatchObject({ status: 'paid' });
    expect(api.requests.slice(before).map((r) => r.method)).toEqual(['GET', 'GET', 'POST']);
  });

  it('HTTP book: a wrong token fails the look-up once, as a non-retryable OrderBookRejected', async () => {
    const book = new HttpOrderBook({ baseUrl: api.baseUrl, token: 'wrong-token', timeoutMs: 2000 });
    const before = api.requests.length;
    const result = await runOrderSteps(book, { orderId: '73021', paymentIntentId: 'pi_never' });
    expect(result.failure).toMatchObject({ step: 'lookup', type: 'OrderBookRejected' });
    expect(result.failure?.message).toMatch(/answered 401 .*check ORDERS_API_TOKEN/);
    expect(api.requests.length - before).toBe(1);
  });
});
