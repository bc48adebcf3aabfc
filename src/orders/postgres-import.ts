/**
 * `npm run orders:import -- FILE.json`: loads orders (the format of data/demo-orders.json,
 * validated by the same schema as the JSON order book) into the PostgreSQL order book, all
 * or nothing, in one transaction.
 *
 * Upsert semantics: a new orderId is inserted; an order that is still unpaid in the
 * database takes the file's amount, currency, description and status; an order that is
 * paid in the database is left exactly as it is (its payment stands, whatever the file
 * says), so re-importing a file never un-pays an order, even one paid a moment ago.
 */
import { readFile } from 'node:fs/promises';
import type pg from 'pg';
import { firstIssue, ordersFileSchema, type ParsedOrder } from './order-schema.js';
import { OrderBookStartupError } from './startup-error.js';

export interface ImportResult {
  inserted: number;
  updated: number;
  /** Already paid in the database: left untouched. */
  keptPaid: number;
}

/** Reads and validates an orders file; one line naming the file and the first problem. */
export async function readOrdersFile(file: string): Promise<ParsedOrder[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new OrderBookStartupError(`${file} could not be read as JSON: ${(err as Error).message}`);
  }
  const parsed = ordersFileSchema.safeParse(raw);
  if (!parsed.success) throw new OrderBookStartupError(`${file} is invalid ${firstIssue(parsed.error)}`);
  return parsed.data;
}

/**
 * The WHERE of DO UPDATE is evaluated against the latest committed row (READ COMMITTED
 * locks it first), so an order marked paid while the import runs stays paid.
 */
const upsertSql = `
  INSERT INTO paycall.orders AS o (order_id, amount, currency, description, status, payment_intent_id, paid_at)
  SELECT t.order_id, t.amount, t.currency, t.description, t.status,
         CASE WHEN t.status = 'paid' THEN t.payment_intent_id END,
         CASE WHEN t.status = 'paid' THEN now() END
    FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[])
      AS t(order_id, amount, currency, description, status, payment_intent_id)
  ON CONFLICT (order_id) DO UPDATE
     SET amount = EXCLUDED.amount, currency = EXCLUDED.currency, description = EXCLUDED.description,
         status = EXCLUDED.status, payment_intent_id = EXCLUDED.payment_intent_id, paid_at = EXCLUDED.paid_at,
         updated_at = now()
   WHERE o.status = 'unpaid'
  RETURNING (xmax = 0) AS inserted`;

const batchSize = 5000;

export async function importOrders(pool: pg.Pool, orders: ParsedOrder[]): Promise<ImportResult> {
  const client = await pool.connect();
  const result: ImportResult = { inserted: 0, updated: 0, keptPaid: 0 };
  try {
    await client.query('BEGIN');
    for (let start = 0; start < orders.length; start += batchSize) {
      const batch = orders.slice(start, start + batchSize);
      const rows = await client.query<{ inserted: boolean }>(upsertSql, [
        batch.map((o) => o.orderId),
        batch.map((o) => o.amount),
        batch.map((o) => o.currency),
        batch.map((o) => o.description),
        batch.map((o) => o.status),
        batch.map((o) => o.paymentIntentId ?? null),
      ]);
      const inserted = rows.rows.filter((row) => row.inserted).length;
      result.inserted += inserted;
      result.updated += rows.rows.length - inserted;
      result.keptPaid += batch.length - rows.rows.length;
    }
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
