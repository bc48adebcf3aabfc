/**
 * The PostgreSQL order book (DATABASE_URL): any number of workers share one database.
 * Marking paid is one atomic UPDATE whose condition is the whole rule (the order is unpaid,
 * or already paid by this same PaymentIntent), so two workers racing on an order serialize
 * on its row lock and only one PaymentIntent can ever win; a repeat by the winner (a retried
 * activity) gets the paid order back. Schema: postgres-schema.ts; loading orders:
 * postgres-import.ts.
 */
import type pg from 'pg';
import { z } from 'zod';
import { OrderNotPayableError, type Order, type OrderBook } from './order-book.js';
import { checkConnection, createPool } from './postgres-connection.js';
import { checkSchema } from './postgres-schema.js';

const columns = 'order_id, amount, currency, description, status, payment_intent_id';

/** A row as pg returns it (bigint arrives as a string). */
const orderRowSchema = z.object({
  order_id: z.string(),
  amount: z.coerce.number().int().positive(),
  currency: z.string(),
  description: z.string(),
  status: z.enum(['unpaid', 'paid']),
  payment_intent_id: z.string().nullable(),
});

function toOrder(row: unknown): Order {
  const r = orderRowSchema.parse(row);
  return {
    orderId: r.order_id,
    amount: r.amount,
    currency: r.currency,
    description: r.description,
    status: r.status,
    ...(r.payment_intent_id ? { paymentIntentId: r.payment_intent_id } : {}),
  };
}

/**
 * One statement: the UPDATE decides; when it matches nothing, the same statement says why
 * (the order exists, so another payment has it; or there is no such order). Under READ
 * COMMITTED a racing UPDATE waits for the winner's row lock, then re-checks its WHERE
 * against the committed row, so the loser matches nothing.
 */
const markPaidSql = `
  WITH paid AS (
    UPDATE paycall.orders
       SET status = 'paid',
           payment_intent_id = $2,
           paid_at = COALESCE(paid_at, now()),
           updated_at = CASE WHEN status = 'unpaid' THEN now() ELSE updated_at END
     WHERE order_id = $1 AND (status = 'unpaid' OR payment_intent_id = $2)
    RETURNING ${columns}
  )
  SELECT 'paid' AS outcome, ${columns} FROM paid
  UNION ALL
  SELECT CASE WHEN EXISTS (SELECT 1 FROM paycall.orders WHERE order_id = $1) THEN 'paid-by-another-payment' ELSE 'unknown-order' END,
         NULL, NULL, NULL, NULL, NULL, NULL
   WHERE NOT EXISTS (SELECT 1 FROM paid)`;

export class PostgresOrderBook implements OrderBook {
  private closed: Promise<void> | undefined;

  constructor(private readonly pool: pg.Pool) {}

  /** A book with its own pool; `check` (default) connects and verifies the schema first. */
  static async open(databaseUrl: string, options: { check?: boolean; maxConnections?: number } = {}): Promise<PostgresOrderBook> {
    const pool = createPool(databaseUrl, options.maxConnections ? { max: options.maxConnections } : {});
    if (options.check !== false) {
      try {
        await checkConnection(pool, databaseUrl);
        await checkSchema(pool, databaseUrl);
      } catch (err) {
        await pool.end();
        throw err;
      }
    }
    return new PostgresOrderBook(pool);
  }

  async find(orderId: string): Promise<Order | undefined> {
    const result = await this.pool.query(`SELECT ${columns} FROM paycall.orders WHERE order_id = $1`, [orderId]);
    return result.rows[0] ? toOrder(result.rows[0]) : undefined;
  }

  async markPaid(orderId: string, paymentIntentId: string): Promise<Order> {
    const result = await this.pool.query<{ outcome: string }>(markPaidSql, [orderId, paymentIntentId]);
    const row = result.rows[0];
    if (row?.outcome === 'paid') return toOrder(row);
    if (row?.outcome === 'unknown-order' || row?.outcome === 'paid-by-another-payment') throw new OrderNotPayableError(orderId, row.outcome);
    throw new Error(`marking order ${orderId} paid returned an unexpected result`);
  }

  /** Ends the pool (once, however often it is called). */
  close(): Promise<void> {
    this.closed ??= this.pool.end();
    return this.closed;
  }
}
