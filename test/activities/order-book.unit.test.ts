import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { createOrderActivities } from '../../src/activities/orders.js';
import { JsonFileOrderBook } from '../../src/orders/json-file-order-book.js';

async function tempOrders(orders: unknown): Promise<{ ordersFile: string; dataDir: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'paycall-orders-'));
  const ordersFile = path.join(dir, 'orders.json');
  await writeFile(ordersFile, JSON.stringify(orders));
  return { ordersFile, dataDir: path.join(dir, 'data') };
}

const demo = [
  { orderId: '73021', amount: 1999, currency: 'USD', description: 'two concert tickets', status: 'unpaid' },
  { orderId: '90001', amount: 2500, currency: 'usd', description: 'a gift card', status: 'paid' },
];

describe('JSON file order book', () => {
  it('finds orders, normalizes currency, and reports unknown ones as null', async () => {
    const { ordersFile, dataDir } = await tempOrders(demo);
    const { lookupOrder } = createOrderActivities(new JsonFileOrderBook(ordersFile, dataDir));
    expect(await lookupOrder('73021')).toMatchObject({ amount: 1999, currency: 'usd', status: 'unpaid' });
    expect(await lookupOrder('12345')).toBeNull();
  });

  it('marks paid under DATA_DIR, never rewriting the orders file, idempotently per PaymentIntent', async () => {
    const { ordersFile, dataDir } = await tempOrders(demo);
    const before = await readFile(ordersFile, 'utf8');
    const book = new JsonFileOrderBook(ordersFile, dataDir);
    const { markOrderPaid, lookupOrder } = createOrderActivities(book);
    await markOrderPaid({ orderId: '73021', paymentIntentId: 'pi_1' });
    await markOrderPaid({ orderId: '73021', paymentIntentId: 'pi_1' });
    expect(await readFile(ordersFile, 'utf8')).toBe(before);
    expect(await lookupOrder('73021')).toMatchObject({ status: 'paid', paymentIntentId: 'pi_1' });
    // A new book over the same files (a restart) still knows.
    expect(await new JsonFileOrderBook(ordersFile, dataDir).find('73021')).toMatchObject({ status: 'paid' });
  });

  it('refuses, non-retryably, to mark an order paid by another payment or an unknown order', async () => {
    const { ordersFile, dataDir } = await tempOrders(demo);
    const { markOrderPaid } = createOrderActivities(new JsonFileOrderBook(ordersFile, dataDir));
    await markOrderPaid({ orderId: '73021', paymentIntentId: 'pi_1' });
    for (const input of [{ orderId: '73021', paymentIntentId: 'pi_2' }, { orderId: '99999', paymentIntentId: 'pi_3' }]) {
      const err = await markOrderPaid(input).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApplicationFailure);
      expect(err).toMatchObject({ type: 'OrderNotPayable', nonRetryable: true });
    }
  });

  it('names the file and the problem when the orders file is invalid', async () => {
    const { ordersFile, dataDir } = await tempOrders([{ orderId: 'A-1', amount: 10, currency: 'usd', description: 'x' }]);
    await expect(new JsonFileOrderBook(ordersFile, dataDir).loadOrders()).rejects.toThrow(/orders\.json is invalid at 0\.orderId/);
  });

  it('the demo orders file is valid', async () => {
    const orders = await new JsonFileOrderBook('data/demo-orders.json', os.tmpdir()).loadOrders();
    expect(orders.get('73021')).toMatchObject({ currency: 'usd' });
    expect(orders.get('55001')).toMatchObject({ currency: 'jpy', amount: 6480 });
  });
});
