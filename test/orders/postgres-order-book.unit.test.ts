/**
 * The PostgreSQL order book against a real PostgreSQL (test/helpers/postgres.ts): look-up,
 * marking paid (idempotent, refused for another PaymentIntent or an unknown order), two
 * pools racing on the same orders, the migration run twice and concurrently, the import.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderNotPayableError } from '../../src/orders/order-book.js';
import { createPool } from '../../src/orders/postgres-connection.js';
import { importOrders, readOrdersFile } from '../../src/orders/postgres-import.js';
import { PostgresOrderBook } from '../../src/orders/postgres-order-book.js';
import { checkSchema, latestSchemaVersion, migrate } from '../../src/orders/postgres-schema.js';
import { OrderBookStartupError } from '../../src/orders/startup-error.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';

let db: TestPostgres;
let pool: pg.Pool;
let book: PostgresOrderBook;

beforeAll(async () => {
  db = await startTestPostgres();
  pool = createPool(db.url);
  await migrate(pool);
  await importOrders(pool, await readOrdersFile('data/demo-orders.json'));
  book = new PostgresOrderBook(createPool(db.url));
});

afterAll(async () => {
  await book?.close();
  await pool?.end();
  await db?.stop();
});

/** Inserts fresh unpaid orders with ids that no other test uses. */
let nextOrderId = 800_000;
async function freshOrders(count: number): Promise<string[]> {
  const orders = Array.from({ length: count }, () => ({ orderId: String(nextOrderId++), amount: 1500, currency: 'usd', description: 'a test order', status: 'unpaid' as const }));
  await importOrders(pool, orders);
  return orders.map((o) => o.orderId);
}

async function refusal(promise: Promise<unknown>): Promise<OrderNotPayableError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OrderNotPayableError);
  return err as OrderNotPayableError;
}

describe('PostgreSQL order book: look-up', () => {
  it('finds imported orders in paycall’s shape and reports unknown ones as undefined', async () => {
    expect(await book.find('73021')).toEqual({ orderId: '73021', amount: 1999, currency: 'usd', description: 'two concert tickets', status: 'unpaid' });
    expect(await book.find('55001')).toMatchObject({ amount: 6480, currency: 'jpy', description: 'コンサートチケット2枚' });
    expect(await book.find('90001')).toMatchObject({ status: 'paid' });
    expect(await book.find('424242')).toBeUndefined();
  });
});

describe('PostgreSQL order book: marking paid', () => {
  it('marks paid, returns the paid order, and a repeat by the same PaymentIntent changes nothing', async () => {
    const [orderId] = await freshOrders(1);
    const paid = await book.markPaid(orderId!, 'pi_first');
    expect(paid).toEqual({ orderId, amount: 1500, currency: 'usd', description: 'a test order', status: 'paid', paymentIntentId: 'pi_first' });
    const before = await pool.query('SELECT paid_at, updated_at FROM paycall.orders WHERE order_id = $1', [orderId]);
    expect(await book.markPaid(orderId!, 'pi_first')).toEqual(paid);
    const after = await pool.query('SELECT paid_at, updated_at FROM paycall.orders WHERE order_id = $1', [orderId]);
    expect(after.rows[0]).toEqual(before.rows[0]);
    expect(await book.find(orderId!)).toEqual(paid);
  });

  it('refuses another PaymentIntent, and leaves the first one in place', async () => {
    const [orderId] = await freshOrders(1);
    await book.markPaid(orderId!, 'pi_winner');
    const err = await refusal(book.markPaid(orderId!, 'pi_other'));
    expect(err).toMatchObject({ orderId, reason: 'paid-by-another-payment' });
    expect(await book.find(orderId!)).toMatchObject({ status: 'paid', paymentIntentId: 'pi_winner' });
  });

  it('refuses an unknown order, and an order paid elsewhere (imported as paid, no PaymentIntent)', async () => {
    expect(await refusal(book.markPaid('31337', 'pi_x'))).toMatchObject({ reason: 'unknown-order' });
    expect(await refusal(book.markPaid('90001', 'pi_x'))).toMatchObject({ reason: 'paid-by-another-payment' });
  });

  it('two workers (two pools) racing with different PaymentIntents: exactly one wins each order', async () => {
    const orderIds = await freshOrders(25);
    const workerA = new PostgresOrderBook(createPool(db.url, { max: 10 }));
    const workerB = new PostgresOrderBook(createPool(db.url, { max: 10 }));
    try {
      // 25 orders × 8 attempts, all in flight at once, alternating between the two pools.
      const attempts = orderIds.flatMap((orderId) =>
        Array.from({ length: 8 }, (_, i) => ({ orderId, paymentIntentId: `pi_race_${orderId}_${i}`, book: i % 2 === 0 ? workerA : workerB })),
      );
      const results = await Promise.allSettled(attempts.map((a) => a.book.markPaid(a.orderId, a.paymentIntentId)));
      for (const orderId of orderIds) {
        const mine = results.map((result, i) => ({ result, attempt: attempts[i]! })).filter((r) => r.attempt.orderId === orderId);
        const winners = mine.filter((r) => r.result.status === 'fulfilled');
        expect(winners, `order ${orderId}`).toHaveLength(1);
        for (const loser of mine.filter((r) => r.result.status === 'rejected')) {
          expect((loser.result as PromiseRejectedResult).reason).toMatchObject({ name: 'OrderNotPayableError', reason: 'paid-by-another-payment' });
        }
        const stored = await book.find(orderId);
        expect(stored?.paymentIntentId).toBe(winners[0]!.attempt.paymentIntentId);
      }
    } finally {
      await workerA.close();
      await workerB.close();
    }
  });

  it('the same PaymentIntent retried at once from both workers succeeds every time', async () => {
    const [orderId] = await freshOrders(1);
    const workerA = new PostgresOrderBook(createPool(db.url, { max: 5 }));
    const workerB = new PostgresOrderBook(createPool(db.url, { max: 5 }));
    try {
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? workerA : workerB).markPaid(orderId!, 'pi_same')));
      for (const order of results) expect(order).toMatchObject({ status: 'paid', paymentIntentId: 'pi_same' });
    } finally {
      await workerA.close();
      await workerB.close();
    }
  });

  it('a lost connection is a plain (retryable) error, and close() is safe to repeat', async () => {
    const lonely = new PostgresOrderBook(createPool(db.url, { max: 1 }));
    await lonely.close();
    await lonely.close();
    const err = await lonely.find('73021').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(OrderNotPayableError);
  });
});

describe('PostgreSQL schema migration', () => {
  it('applies once: a second run and five concurrent runs apply nothing and fail nothing', async () => {
    const url = await db.createDatabase();
    const pools = Array.from({ length: 5 }, () => createPool(url, { max: 1 }));
    try {
      const concurrent = await Promise.all(pools.map((p) => migrate(p)));
      expect(concurrent.flat()).toEqual([latestSchemaVersion]);
      expect(await migrate(pools[0]!)).toEqual([]);
      const recorded = await pools[0]!.query('SELECT version FROM paycall.schema_migrations');
      expect(recorded.rows).toEqual([{ version: latestSchemaVersion }]);
      await expect(checkSchema(pools[0]!, url)).resolves.toBeUndefined();
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('opening the book on a database never migrated says to run npm run db:migrate (password hidden)', async () => {
    const url = await db.createDatabase();
    const password = new URL(url).password;
    const err = await PostgresOrderBook.open(url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrderBookStartupError);
    expect((err as Error).message).toMatch(/^the database at DATABASE_URL \(postgres:\/\/paycall_test:\*\*\*@127\.0\.0\.1:\d+\/paycall_test_\w+\) has no paycall schema: run `npm run db:migrate` first\.$/);
    expect((err as Error).message).not.toContain(password);
  });

  it('opening the book on an unreachable database names DATABASE_URL and the reason, not the password', async () => {
    const err = await PostgresOrderBook.open('postgres://paycall:s3cret-pw@127.0.0.1:1/paycall').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrderBookStartupError);
    expect((err as Error).message).toBe('DATABASE_URL (postgres://paycall:***@127.0.0.1:1/paycall) cannot be reached: connect ECONNREFUSED 127.0.0.1:1');
  });
});

describe('orders import', () => {
  async function file(content: string): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'paycall-import-'));
    const name = path.join(dir, 'orders.json');
    await writeFile(name, content);
    return name;
  }

  it('imports twice: new orders inserted, unpaid ones updated, paid ones never un-paid or changed', async () => {
    const url = await db.createDatabase();
    const target = createPool(url);
    try {
      await migrate(target);
      const first = [
        { orderId: '1001', amount: 1000, currency: 'USD', description: 'first', status: 'unpaid' },
        { orderId: '1002', amount: 2000, currency: 'usd', description: 'second', status: 'unpaid' },
        { orderId: '1003', amount: 3000, currency: 'usd', description: 'paid elsewhere', status: 'paid' },
      ];
      expect(await importOrders(target, await readOrdersFile(await file(JSON.stringify(first))))).toEqual({ inserted: 3, updated: 0, keptPaid: 0 });
      const targetBook = new PostgresOrderBook(target);
      await targetBook.markPaid('1002', 'pi_paid_between_imports');

      const second = [
        { orderId: '1001', amount: 1100, currency: 'usd', description: 'first, repriced', status: 'unpaid' },
        { orderId: '1002', amount: 9999, currency: 'usd', description: 'second, changed', status: 'unpaid' },
        { orderId: '1003', amount: 3000, currency: 'usd', description: 'paid elsewhere', status: 'unpaid' },
        { orderId: '1004', amount: 400, currency: 'jpy', description: 'new', status: 'unpaid' },
      ];
      expect(await importOrders(target, await readOrdersFile(await file(JSON.stringify(second))))).toEqual({ inserted: 1, updated: 1, keptPaid: 2 });
      expect(await targetBook.find('1001')).toMatchObject({ amount: 1100, description: 'first, repriced', status: 'unpaid' });
      expect(await targetBook.find('1002')).toEqual({ orderId: '1002', amount: 2000, currency: 'usd', description: 'second', status: 'paid', paymentIntentId: 'pi_paid_between_imports' });
      expect(await targetBook.find('1003')).toMatchObject({ status: 'paid' });
      expect(await targetBook.find('1004')).toMatchObject({ currency: 'jpy', amount: 400 });
    } finally {
      await target.end();
    }
  });

  it('refuses a bad file with one line naming the file and the first problem, importing nothing', async () => {
    const notJson = await file('[{"orderId": "1"');
    await expect(readOrdersFile(notJson)).rejects.toThrow(new RegExp(`^${notJson} could not be read as JSON: `));
    const badOrder = await file(JSON.stringify([{ orderId: '1', amount: 100, currency: 'usd', description: 'ok' }, { orderId: 'A-2', amount: 100, currency: 'usd', description: 'x' }]));
    await expect(readOrdersFile(badOrder)).rejects.toThrow(`${badOrder} is invalid at 1.orderId: orderId must be 1–20 digits (callers type it on a keypad)`);
    const badMoney = await file(JSON.stringify([{ orderId: '1', amount: 19.99, currency: 'usd', description: 'x' }]));
    await expect(readOrdersFile(badMoney)).rejects.toThrow(/is invalid at 0\.amount: /);
    const duplicate = await file(JSON.stringify([{ orderId: '7', amount: 100, currency: 'usd', description: 'a' }, { orderId: '7', amount: 200, currency: 'usd', description: 'b' }]));
    await expect(readOrdersFile(duplicate)).rejects.toThrow(`${duplicate} is invalid at 1.orderId: orderId 7 appears more than once`);
    await expect(readOrdersFile('/nonexistent/orders.json')).rejects.toThrow(/^\/nonexistent\/orders\.json could not be read as JSON: ENOENT/);
  });

  it('an import the database refuses rolls back whole', async () => {
    const url = await db.createDatabase();
    const target = createPool(url);
    try {
      await migrate(target);
      // Past the zod check (called directly), the table's own constraints still refuse, mid-file.
      const orders = [
        { orderId: '2001', amount: 100, currency: 'usd', description: 'fine', status: 'unpaid' as const },
        { orderId: 'not-digits', amount: 100, currency: 'usd', description: 'bad id', status: 'unpaid' as const },
      ];
      await expect(importOrders(target, orders)).rejects.toThrow(/violates check constraint/);
      expect((await target.query('SELECT count(*)::int AS n FROM paycall.orders')).rows[0]).toEqual({ n: 0 });
    } finally {
      await target.end();
    }
  });
});
