/**
 * The PostgreSQL order book's schema, in its own `paycall` schema (so it never collides
 * with a merchant's tables), and the migration `npm run db:migrate` runs. Migrations are
 * numbered and recorded in paycall.schema_migrations; one transaction holds an advisory
 * lock while it applies the missing ones, so running it twice, or twice at once (two
 * containers starting), applies each migration exactly once.
 */
import type pg from 'pg';
import { OrderBookStartupError } from './startup-error.js';
import { redactDatabaseUrl } from './postgres-connection.js';

interface Migration {
  version: number;
  name: string;
  sql: string;
}

const migrations: Migration[] = [
  {
    version: 1,
    name: 'orders',
    sql: `
      CREATE TABLE paycall.orders (
        order_id          text PRIMARY KEY CHECK (order_id ~ '^[0-9]{1,20}$'),
        amount            bigint NOT NULL CHECK (amount > 0),
        currency          text NOT NULL CHECK (currency = lower(currency)),
        description       text NOT NULL CHECK (description <> ''),
        status            text NOT NULL DEFAULT 'unpaid' CHECK (status IN ('unpaid', 'paid')),
        payment_intent_id text,
        paid_at           timestamptz,
        created_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT orders_unpaid_has_no_payment CHECK (status = 'paid' OR payment_intent_id IS NULL)
      )`,
  },
];

export const latestSchemaVersion = migrations[migrations.length - 1]!.version;

/** Any constant works: it only has to be the same for every paycall that migrates this database. */
const migrationLockKey = 7_230_011;

/** Applies the migrations this database lacks; returns the versions it applied (none on a re-run). */
export async function migrate(pool: pg.Pool): Promise<number[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [migrationLockKey]);
    await client.query('CREATE SCHEMA IF NOT EXISTS paycall');
    await client.query(`
      CREATE TABLE IF NOT EXISTS paycall.schema_migrations (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const done = new Set((await client.query<{ version: number }>('SELECT version FROM paycall.schema_migrations')).rows.map((row) => row.version));
    const applied: number[] = [];
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO paycall.schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Fails start-up with one line when `npm run db:migrate` has not been run (or not since an upgrade). */
export async function checkSchema(pool: pg.Pool, databaseUrl: string): Promise<void> {
  const where = `the database at DATABASE_URL (${redactDatabaseUrl(databaseUrl)})`;
  let version: number | null;
  try {
    const result = await pool.query<{ version: number | null }>('SELECT max(version) AS version FROM paycall.schema_migrations');
    version = result.rows[0]?.version ?? null;
  } catch (err) {
    const code = (err as { code?: string }).code;
    // 3F000 invalid_schema_name, 42P01 undefined_table: never migrated.
    if (code === '3F000' || code === '42P01') throw new OrderBookStartupError(`${where} has no paycall schema: run \`npm run db:migrate\` first.`);
    throw err;
  }
  if (version === null || version < latestSchemaVersion) {
    throw new OrderBookStartupError(`${where} has paycall schema version ${version ?? 'none'}, this paycall needs ${latestSchemaVersion}: run \`npm run db:migrate\`.`);
  }
}
