/**
 * DATABASE_URL for the order book's command-line tools (db:migrate, orders:import), and
 * their one-line errors: a database failure names DATABASE_URL (password hidden) and what
 * PostgreSQL said.
 */
import { loadConfig } from '../../config/config.js';
import { describeError, redactDatabaseUrl } from '../postgres-connection.js';
import { OrderBookStartupError } from '../startup-error.js';

export function requireDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = loadConfig(env).DATABASE_URL;
  if (!url) throw new OrderBookStartupError('DATABASE_URL is not set: set it to the PostgreSQL order book, e.g. postgres://paycall:secret@localhost:5432/paycall');
  return url;
}

/** Turns a database error into a user-facing line; other errors pass through unchanged. */
export function asDatabaseFailure(err: unknown, databaseUrl: string, doing: string): unknown {
  if (err instanceof OrderBookStartupError) return err;
  if (err instanceof Error && (typeof (err as { code?: unknown }).code === 'string' || err instanceof AggregateError)) {
    return new OrderBookStartupError(`${doing} failed on DATABASE_URL (${redactDatabaseUrl(databaseUrl)}): ${describeError(err)}`);
  }
  return err;
}
