/**
 * A PostgreSQL order book loaded with given orders, for runs with several workers: a real
 * server from postgres.ts, then what `npm run db:migrate` and `npm run orders:import` do
 * (paycall's own migrate and importOrders), and a read-back of every row for reconciling.
 */
import { createPool } from '../../src/orders/postgres-connection.js';
import { importOrders } from '../../src/orders/postgres-import.js';
import { migrate } from '../../src/orders/postgres-schema.js';
import { ordersFileSchema } from '../../src/orders/order-schema.js';
import { startTestPostgres, type TestPostgres } from './postgres.js';

export interface OrderRow {
  orderId: string;
  amount: number;
  currency: string;
  status: 'unpaid' | 'paid';
  paymentIntentId: string | null;
}

export interface OrderBookDatabase {
  databaseUrl: string;
  /** Where the server came from (for run reports). */
  label: string;
  /** Every order as the database has it now. */
  rows(): Promise<OrderRow[]>;
  stop(): Promise<void>;
}

export async function startOrderBookDatabase(orders: unknown[]): Promise<OrderBookDatabase> {
  const parsed = ordersFileSchema.parse(orders);
  const postgres: TestPostgres = await startTestPostgres();
  const pool = createPool(postgres.url, { max: 2 });
  try {
    await migrate(pool);
    await importOrders(pool, parsed);
  } catch (err) {
    await pool.end();
    await postgres.stop();
    throw err;
  }
  return {
    databaseUrl: postgres.url,
    label: postgres.label,
    async rows() {
      const result = await pool.query<{ order_id: string; amount: string; currency: string; status: 'unpaid' | 'paid'; payment_intent_id: string | null }>(
        'SELECT order_id, amount, currency, status, payment_intent_id FROM paycall.orders ORDER BY order_id',
      );
      return result.rows.map((r) => ({ orderId: r.order_id, amount: Number(r.amount), currency: r.currency, status: r.status, paymentIntentId: r.payment_intent_id }));
    },
    async stop() {
      await pool.end().catch(() => undefined);
      await postgres.stop();
    },
  };
}
