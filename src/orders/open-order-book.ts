/**
 * Picks and opens paycall's order book from the configuration:
 *   DATABASE_URL   → PostgreSQL (any number of workers; run `npm run db:migrate` first)
 *   ORDERS_API_URL → the merchant's own order API (docs/orders.md)
 *   neither        → the JSON file ORDERS_FILE (the default for `npm start`; one worker only)
 * Both set is a configuration error. Opening checks what can be checked before the first
 * call: the JSON file parses, the database answers and has the schema. The HTTP API is not
 * probed (it may be briefly down; lookups are retried by Temporal).
 */
import type { Config } from '../config/config.js';
import { ConfigError } from '../config/config.js';
import { HttpOrderBook } from './http-order-book.js';
import { JsonFileOrderBook } from './json-file-order-book.js';
import type { OrderBook } from './order-book.js';
import { redactDatabaseUrl } from './postgres-connection.js';
import { PostgresOrderBook } from './postgres-order-book.js';
import { OrderBookStartupError } from './startup-error.js';

export type OrderBookConfig = Pick<Config, 'DATABASE_URL' | 'ORDERS_API_URL' | 'ORDERS_API_TOKEN' | 'ORDERS_API_TIMEOUT_MS' | 'ORDERS_FILE' | 'DATA_DIR'>;

export type OrderBookKind = 'postgres' | 'http' | 'json-file';

export function orderBookKind(config: OrderBookConfig): OrderBookKind {
  if (config.DATABASE_URL && config.ORDERS_API_URL) {
    throw new ConfigError(['DATABASE_URL and ORDERS_API_URL are both set: paycall uses one order book, so set only one of them']);
  }
  if (config.DATABASE_URL) return 'postgres';
  if (config.ORDERS_API_URL) return 'http';
  return 'json-file';
}

/** One line for logs and the launcher: which order book, where (no password, no token). */
export function describeOrderBook(config: OrderBookConfig): string {
  switch (orderBookKind(config)) {
    case 'postgres':
      return `PostgreSQL at ${redactDatabaseUrl(config.DATABASE_URL!)}`;
    case 'http':
      return `the order API at ${config.ORDERS_API_URL}`;
    case 'json-file':
      return `the JSON file ${config.ORDERS_FILE} (one worker only)`;
  }
}

export async function openOrderBook(config: OrderBookConfig): Promise<OrderBook> {
  switch (orderBookKind(config)) {
    case 'postgres':
      return PostgresOrderBook.open(config.DATABASE_URL!);
    case 'http':
      return new HttpOrderBook({
        baseUrl: config.ORDERS_API_URL!,
        timeoutMs: config.ORDERS_API_TIMEOUT_MS,
        ...(config.ORDERS_API_TOKEN ? { token: config.ORDERS_API_TOKEN } : {}),
      });
    case 'json-file': {
      const book = new JsonFileOrderBook(config.ORDERS_FILE, config.DATA_DIR);
      try {
        await book.loadOrders(); // fail at start, with the file's problem, not on the first call
      } catch (err) {
        throw new OrderBookStartupError((err as Error).message);
      }
      return book;
    }
  }
}
