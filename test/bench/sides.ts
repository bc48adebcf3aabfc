/**
 * The benchmark's three sides and how each is started for one run: its own process, its own
 * Stripe sandbox, its own orders, and, for the two durable sides, the fresh Temporal dev
 * server the bench started for that run (so sides never share a server, a database file or
 * a task queue). paycall runs as `npm start` runs it: the launcher, src/main.ts, with
 * TEMPORAL_ADDRESS pointing at that dev server (the one change: the bench, not the
 * launcher, starts the dev server, so it can read the server's metrics and histories).
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { freePort } from '../../src/temporal/dev-server.js';
import { sideSettingsVariable, type ReferenceSettings } from './sides/reference-server.js';
import { baseEnv, startSideProcess, type SideProcess } from './side-process.js';

export const sideNames = ['baseline', 'minimal', 'paycall'] as const;
export type SideName = (typeof sideNames)[number];

export const sideLabels: Record<SideName, string> = {
  baseline: 'stateless baseline IVR',
  minimal: 'minimal durable call',
  paycall: 'paycall (npm start)',
};

/** Whether the side needs a Temporal server. */
export const durableSides: Record<SideName, boolean> = { baseline: false, minimal: true, paycall: true };

export interface SideStartOptions {
  side: SideName;
  /** This run's folder: data, orders, log. */
  dir: string;
  orderIds: readonly string[];
  temporalAddress?: string;
  /** Prebuilt workflow bundles, one per durable side. */
  bundles: { minimal: string; paycall: string };
  /** paycall only: write CPU profiles (node --cpu-prof) here. */
  cpuProfileDir?: string;
}

export interface RunningSide {
  /** Where the simulator sends requests, and the public URL signatures are computed over. */
  url: string;
  publicUrl: string;
  stripeUrl: string;
  authToken: string;
  pid: number;
  logFile: string;
  stop(): Promise<number | null>;
}

export const benchNamespace = 'default';
export const benchTaskQueue = 'paycall';

export async function startSide(options: SideStartOptions): Promise<RunningSide> {
  const [port, stripeSandboxPort] = await Promise.all([freePort(), freePort()]);
  const authToken = randomBytes(16).toString('hex');
  const dataDir = path.join(options.dir, 'data');
  const ordersFile = path.join(options.dir, 'orders.json');
  await writeFile(ordersFile, JSON.stringify(benchOrders(options.orderIds)));
  const publicUrl = `http://localhost:${port}`;
  const logFile = path.join(options.dir, `${options.side}.log`);
  const readyUrl = `http://127.0.0.1:${port}/readyz`;

  let child: SideProcess;
  if (options.side === 'paycall') {
    child = await startSideProcess({
      entry: 'src/main.ts',
      logFile,
      readyUrl,
      nodeArgs: options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : [],
      env: {
        ...baseEnv(),
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        ORDERS_FILE: ordersFile,
        TEMPORAL_ADDRESS: required(options.temporalAddress, 'paycall needs a Temporal server'),
        TEMPORAL_NAMESPACE: benchNamespace,
        TEMPORAL_TASK_QUEUE: benchTaskQueue,
        STRIPE_SANDBOX_PORT: String(stripeSandboxPort),
        TWILIO_AUTH_TOKEN: authToken,
        WORKFLOW_BUNDLE_PATH: options.bundles.paycall,
        LOG_LEVEL: 'info',
      },
    });
  } else {
    const settings: ReferenceSettings = {
      port,
      stripeSandboxPort,
      dataDir,
      ordersFile,
      authToken,
      publicBaseUrl: publicUrl,
      ...(options.side === 'minimal'
        ? {
            temporal: {
              address: required(options.temporalAddress, 'the minimal durable call needs a Temporal server'),
              namespace: benchNamespace,
              taskQueue: benchTaskQueue,
              workflowBundlePath: options.bundles.minimal,
            },
          }
        : {}),
    };
    child = await startSideProcess({
      entry: options.side === 'minimal' ? 'test/bench/sides/minimal-call-main.ts' : 'test/bench/sides/stateless-ivr-main.ts',
      logFile,
      readyUrl,
      env: { ...baseEnv(), [sideSettingsVariable]: JSON.stringify(settings) },
    });
  }
  return {
    url: `http://127.0.0.1:${port}`,
    publicUrl,
    stripeUrl: `http://127.0.0.1:${stripeSandboxPort}`,
    authToken,
    pid: child.pid,
    logFile,
    stop: () => child.stop(),
  };
}

/** Order ids for one run: a prefix per run, so no two runs (or sides) ever share an order. */
export function benchOrderIds(runPrefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${runPrefix}${String(i + 1).padStart(5, '0')}`);
}

function benchOrders(orderIds: readonly string[]) {
  return orderIds.map((orderId, i) => ({ orderId, amount: 1000 + (i % 90) * 100, currency: 'usd', description: 'a bench order', status: 'unpaid' }));
}

function required<T>(value: T | undefined, message: string): T {
  if (value === undefined) throw new Error(message);
  return value;
}
