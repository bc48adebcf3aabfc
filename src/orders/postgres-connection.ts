/**
 * The PostgreSQL pool behind the order book, the migration and the import: bounded waits
 * (so an unreachable database fails an activity attempt, which Temporal retries, instead of
 * hanging it), and messages that name DATABASE_URL without ever printing its password.
 */
import pg from 'pg';
import { createLogger } from '../logging/logger.js';
import { OrderBookStartupError } from './startup-error.js';

const logger = createLogger('paycall-orders');

/** Below the order activities' 10 s start-to-close timeout, so an attempt fails on its own terms. */
const connectTimeoutMs = 5000;
const queryTimeoutMs = 8000;

export function createPool(databaseUrl: string, options: { max?: number } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    connectionTimeoutMillis: connectTimeoutMs,
    query_timeout: queryTimeoutMs,
    application_name: 'paycall',
    ...(options.max ? { max: options.max } : {}),
  });
  // An idle client losing its connection (a database restart) must not crash the worker:
  // the pool drops it and the next query opens a new one.
  pool.on('error', (err) => logger.warn({ err: describeError(err) }, 'an idle PostgreSQL connection failed'));
  return pool;
}

/** `postgres://paycall:secret@db:5432/paycall` → `postgres://paycall:***@db:5432/paycall`. */
export function redactDatabaseUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = '***';
    for (const key of [...url.searchParams.keys()]) if (/pass/i.test(key)) url.searchParams.set(key, '***');
    return url.toString();
  } catch {
    return '(an unparseable URL)';
  }
}

/** One line for any connection error (Node reports a refused localhost as an AggregateError with no message). */
export function describeError(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return describeError(err.errors[0]);
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return err.message || code || err.name;
  }
  return String(err);
}

/** Opens one connection now, so a wrong DATABASE_URL stops start-up with a clear line. */
export async function checkConnection(pool: pg.Pool, databaseUrl: string): Promise<void> {
  try {
    const client = await pool.connect();
    client.release();
  } catch (err) {
    throw new OrderBookStartupError(`DATABASE_URL (${redactDatabaseUrl(databaseUrl)}) cannot be reached: ${describeError(err)}`);
  }
}
