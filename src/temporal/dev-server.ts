/**
 * Runs `temporal server start-dev` (the real Temporal server, SQLite-backed) as a child
 * process: for `npm start` when no TEMPORAL_ADDRESS is configured, and for the test suite.
 * The CLI comes from resolveTemporalCli (temporal-cli.ts), which fetches it when missing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { Connection } from '@temporalio/client';
import { searchAttributeCliArgs } from '../contract/search-attributes.js';
import { resolveTemporalCli } from './temporal-cli.js';

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

export interface DevServerOptions {
  /** The `temporal` binary; resolved (and fetched if need be) when omitted. */
  cliPath?: string;
  ip?: string;
  port?: number;
  /** Web UI port; `false` runs headless. */
  uiPort?: number | false;
  /** SQLite file; omitted = in-memory. */
  dbFilename?: string;
  namespace?: string;
  /** The Web UI's codec server (`--ui-codec-endpoint`): the UI POSTs payloads to `<endpoint>/decode` to show them decrypted. */
  codecEndpoint?: string;
  /** Port of the server's Prometheus metrics endpoint; omitted = a free port (see `metricsUrl`). */
  metricsPort?: number;
  /** Where the server's own log lines go (default: discarded). */
  onLog?: (line: string) => void;
  startTimeoutMs?: number;
}

export interface DevServer {
  address: string;
  namespace: string;
  uiUrl?: string;
  /** The server's Prometheus endpoint (`/metrics`): the benchmark reads it before and after a run. */
  metricsUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const cli = options.cliPath ?? (await resolveTemporalCli()).path;
  const ip = options.ip ?? '127.0.0.1';
  const port = options.port ?? (await freePort(ip));
  const namespace = options.namespace ?? 'default';
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(port), '--log-level', 'warn'];
  args.push('--namespace', namespace);
  if (options.uiPort === false || options.uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort));
  if (options.codecEndpoint && options.uiPort) args.push('--ui-codec-endpoint', options.codecEndpoint);
  if (options.dbFilename) {
    args.push('--db-filename', options.dbFilename, '--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=NORMAL');
  }
  args.push(...searchAttributeCliArgs());
  // The dev server's HTTP and metrics ports default to fixed numbers; pick free ones so
  // several servers (tests, a running `npm start`) never collide.
  const metricsPort = options.metricsPort ?? (await freePort(ip));
  args.push('--http-port', String(await freePort(ip)), '--metrics-port', String(metricsPort));

  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-4000);
    options.onLog?.(text);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Never leave an orphaned server behind if this process dies without a clean stop.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));

  const address = `${ip}:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  let ready = false;
  while (!ready) {
    const exitCode = await Promise.race([exited, sleep(250).then(() => undefined)]);
    if (exitCode !== undefined) {
      throw new Error(`Temporal dev server exited (code ${exitCode}) before it was ready:\n${output.trim()}`);
    }
    ready = await isServing(address);
    if (!ready && Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Temporal dev server did not become ready on ${address}:\n${output.trim()}`);
    }
  }

  return {
    address,
    namespace,
    uiUrl: typeof options.uiPort === 'number' ? `http://${ip}:${options.uiPort}` : undefined,
    metricsUrl: `http://${ip}:${metricsPort}/metrics`,
    process: child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const code = await Promise.race([exited, sleep(10_000).then(() => 'timeout' as const)]);
      if (code === 'timeout') child.kill('SIGKILL');
    },
  };
}

async function isServing(address: string): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: 1000 });
    await connection.healthService.check({});
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
