/**
 * `npm run db:migrate` and `npm run orders:import` as processes against a real PostgreSQL:
 * each safe to run twice, and every failure a user can fix is one line on stderr (naming
 * DATABASE_URL without its password, or the file and its problem) with exit code 1.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDatabaseUrl } from '../../src/orders/cli/database-url.js';
import { PostgresOrderBook } from '../../src/orders/postgres-order-book.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(script: string, args: string[], env: Record<string, string | undefined>): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', ...env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete childEnv[key];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(script), ...args], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout: stdout.trim(), stderr: stderr.trim() }));
  });
}

const migrateScript = 'src/orders/cli/db-migrate.ts';
const importScript = 'src/orders/cli/orders-import.ts';

let db: TestPostgres;
beforeAll(async () => {
  db = await startTestPostgres();
});
afterAll(async () => {
  await db?.stop();
});

describe('npm scripts', () => {
  it('db:migrate and orders:import run these entry points with the .env loader', () => {
    const scripts = JSON.parse(readFileSync('package.json', 'utf8')).scripts as Record<string, string>;
    expect(scripts['db:migrate']).toBe(`tsx --import ./src/process/load-env-file.mjs ${migrateScript}`);
    expect(scripts['orders:import']).toBe(`tsx --import ./src/process/load-env-file.mjs ${importScript}`);
  });
});

describe('db:migrate and orders:import', () => {
  it('migrate twice, import the demo orders twice: the second runs change nothing', async () => {
    const env = { DATABASE_URL: db.url };
    const password = new URL(db.url).password;
    const first = await run(migrateScript, [], env);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(/^paycall schema migrated to version 1 on postgres:\/\/paycall_test:\*\*\*@127\.0\.0\.1:\d+\/paycall_test_\w+ \(applied 1\)$/);
    const second = await run(migrateScript, [], env);
    expect(second).toMatchObject({ code: 0 });
    expect(second.stdout).toMatch(/^paycall schema already at version 1 on /);

    const imported = await run(importScript, ['data/demo-orders.json'], env);
    expect(imported).toMatchObject({ code: 0, stderr: '' });
    expect(imported.stdout).toMatch(/^imported 6 orders from data\/demo-orders\.json into postgres:\/\/paycall_test:\*\*\*@.*: 6 new, 0 updated, 0 already paid \(left as they were\)$/);
    const again = await run(importScript, ['data/demo-orders.json'], env);
    expect(again.stdout).toMatch(/: 0 new, 5 updated, 1 already paid \(left as they were\)$/);
    for (const output of [first, second, imported, again]) expect(output.stdout + output.stderr).not.toContain(password);

    const book = await PostgresOrderBook.open(db.url);
    try {
      expect(await book.find('55001')).toMatchObject({ amount: 6480, currency: 'jpy', status: 'unpaid' });
    } finally {
      await book.close();
    }
  });

  it('an unreachable database is one line naming DATABASE_URL, password hidden', async () => {
    const result = await run(migrateScript, [], { DATABASE_URL: 'postgres://paycall:hunter2-secret@127.0.0.1:1/paycall' });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('paycall: DATABASE_URL (postgres://paycall:***@127.0.0.1:1/paycall) cannot be reached: connect ECONNREFUSED 127.0.0.1:1');
  });

  it('a bad orders file is one line naming the file and the problem, before touching the database', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'paycall-import-cli-'));
    const file = path.join(dir, 'orders.json');
    writeFileSync(file, JSON.stringify([{ orderId: '12', amount: 500, currency: 'xyz', description: 'x' }]));
    const result = await run(importScript, [file], { DATABASE_URL: 'postgres://paycall:pw@127.0.0.1:1/paycall' });
    expect(result).toMatchObject({ code: 1, stdout: '', stderr: `paycall: ${file} is invalid at 0.currency: order 12: currency xyz is not one paycall takes (aud, cad, eur, gbp, jpy, krw, usd)` });
  });

  it('importing into a database that was never migrated says to run db:migrate; no DATABASE_URL says to set it', async () => {
    const fresh = await db.createDatabase();
    const unmigrated = await run(importScript, ['data/demo-orders.json'], { DATABASE_URL: fresh });
    expect(unmigrated.code).toBe(1);
    expect(unmigrated.stderr).toMatch(/^paycall: the database at DATABASE_URL \(.*\*\*\*.*\) has no paycall schema: run `npm run db:migrate` first\.$/);
    expect(() => requireDatabaseUrl({})).toThrow(/^DATABASE_URL is not set: /);
  });
});
