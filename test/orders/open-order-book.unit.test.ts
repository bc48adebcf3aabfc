/**
 * Choosing the order book from configuration: PostgreSQL (DATABASE_URL) > the merchant's
 * API (ORDERS_API_URL) > the JSON file; both URLs set is a configuration error; opening
 * fails at start with one line when the chosen book cannot work.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { HttpOrderBook } from '../../src/orders/http-order-book.js';
import { JsonFileOrderBook } from '../../src/orders/json-file-order-book.js';
import { describeOrderBook, openOrderBook, orderBookKind } from '../../src/orders/open-order-book.js';
import { createPool } from '../../src/orders/postgres-connection.js';
import { importOrders, readOrdersFile } from '../../src/orders/postgres-import.js';
import { PostgresOrderBook } from '../../src/orders/postgres-order-book.js';
import { migrate } from '../../src/orders/postgres-schema.js';
import { OrderBookStartupError } from '../../src/orders/startup-error.js';
import { startMerchantOrdersApi, type MerchantOrdersApi } from '../helpers/merchant-orders-api.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';

let db: TestPostgres;
let api: MerchantOrdersApi;
beforeAll(async () => {
  db = await startTestPostgres();
  const pool = createPool(db.url);
  await migrate(pool);
  await importOrders(pool, await readOrdersFile('data/demo-orders.json'));
  await pool.end();
  api = await startMerchantOrdersApi({ orders: [{ orderId: '4242', amount: 100, currency: 'eur', description: 'from the API', status: 'unpaid' }] });
});
afterAll(async () => {
  await api?.close();
  await db?.stop();
});

const tempDataDir = () => mkdtemp(path.join(os.tmpdir(), 'paycall-open-book-'));

describe('openOrderBook', () => {
  it('defaults to the JSON file (npm start)', async () => {
    const config = loadConfig({ DATA_DIR: await tempDataDir() });
    expect(orderBookKind(config)).toBe('json-file');
    expect(describeOrderBook(config)).toBe('the JSON file data/demo-orders.json (one worker only)');
    const book = await openOrderBook(config);
    expect(book).toBeInstanceOf(JsonFileOrderBook);
    expect(await book.find('73021')).toMatchObject({ amount: 1999 });
  });

  it('DATABASE_URL opens the PostgreSQL book (checked at open), and close() ends its pool', async () => {
    const config = loadConfig({ DATABASE_URL: db.url });
    expect(orderBookKind(config)).toBe('postgres');
    expect(describeOrderBook(config)).toMatch(/^PostgreSQL at postgres:\/\/paycall_test:\*\*\*@127\.0\.0\.1:\d+\//);
    const book = await openOrderBook(config);
    expect(book).toBeInstanceOf(PostgresOrderBook);
    expect(await book.find('55001')).toMatchObject({ currency: 'jpy' });
    await book.close?.();
    await expect(book.find('55001')).rejects.toThrow();
  });

  it('ORDERS_API_URL opens the HTTP book with the token and timeout', async () => {
    const config = loadConfig({ ORDERS_API_URL: api.baseUrl, ORDERS_API_TOKEN: api.token, ORDERS_API_TIMEOUT_MS: '2000' });
    expect(describeOrderBook(config)).toBe(`the order API at ${api.baseUrl}`);
    const book = await openOrderBook(config);
    expect(book).toBeInstanceOf(HttpOrderBook);
    expect(await book.find('4242')).toMatchObject({ currency: 'eur' });
    expect(api.requests.at(-1)?.authorization).toBe(`Bearer ${api.token}`);
  });

  it('refuses DATABASE_URL and ORDERS_API_URL together, naming both', async () => {
    const both = { DATABASE_URL: db.url, ORDERS_API_URL: api.baseUrl };
    expect(() => loadConfig(both)).toThrow(ConfigError);
    expect(() => loadConfig(both)).toThrow(/DATABASE_URL and ORDERS_API_URL are both set/);
    // A config assembled by hand (tests, embedding) gets the same answer from the factory.
    const config = { ...loadConfig({}), ...both };
    await expect(openOrderBook(config)).rejects.toThrow(/DATABASE_URL and ORDERS_API_URL are both set/);
  });

  it('validates the variables with clear messages, never echoing a password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://u:topsecret@h/db' })).toThrow(/DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://u:topsecret@h/db' })).not.toThrow(/topsecret/);
    expect(() => loadConfig({ ORDERS_API_URL: 'ftp://shop.example.com' })).toThrow(/ORDERS_API_URL: must be an absolute http\(s\) URL/);
    expect(() => loadConfig({ ORDERS_API_TIMEOUT_MS: '20000' })).toThrow(/ORDERS_API_TIMEOUT_MS: must be at most 9000 ms/);
    expect(() => loadConfig({ ORDERS_API_TIMEOUT_MS: 'soon' })).toThrow(/ORDERS_API_TIMEOUT_MS: must be a number of milliseconds/);
    expect(loadConfig({}).ORDERS_API_TIMEOUT_MS).toBe(5000);
  });

  it('fails at open with one line: bad orders file, unreachable database, unmigrated database', async () => {
    const dir = await tempDataDir();
    const badFile = path.join(dir, 'orders.json');
    await writeFile(badFile, '[{"orderId": "1", "amount": -5, "currency": "usd", "description": "x"}]');
    const badJson = openOrderBook(loadConfig({ ORDERS_FILE: badFile, DATA_DIR: dir }));
    await expect(badJson).rejects.toBeInstanceOf(OrderBookStartupError);
    await expect(badJson).rejects.toThrow(`ORDERS_FILE ${badFile} is invalid at 0.amount: Too small: expected number to be >0`);
    const unreachable = openOrderBook(loadConfig({ DATABASE_URL: 'postgres://paycall:pw-123@127.0.0.1:1/paycall' }));
    await expect(unreachable).rejects.toThrow(/^DATABASE_URL \(postgres:\/\/paycall:\*\*\*@127\.0\.0\.1:1\/paycall\) cannot be reached: /);
    await expect(openOrderBook(loadConfig({ DATABASE_URL: await db.createDatabase() }))).rejects.toThrow(/run `npm run db:migrate` first/);
  });
});
