/**
 * A process's own small HTTP endpoint (METRICS_PORT), apart from the public web port:
 * `/metrics` (Prometheus: paycall's metrics and, in a process with a worker, the Temporal
 * SDK's; src/observability/), `/healthz` (the process is up) and, with a worker,
 * `/readyz` (the worker is running: polling its task queue, not draining).
 */
import http from 'node:http';
import type { Worker } from '@temporalio/worker';
import type { MetricsSource } from './sdk-metrics.js';

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

export interface OperationsEndpoints {
  /** The worker whose state /readyz reports; without one (the web process) there is no /readyz. */
  worker?: Pick<Worker, 'getState'>;
  metrics?: MetricsSource;
}

export function startWorkerHealthServer(worker: Pick<Worker, 'getState'>, port: number, host = '0.0.0.0', options: { metrics?: MetricsSource } = {}): Promise<HealthServer> {
  return startOperationsServer({ worker, ...options }, port, host);
}

export async function startOperationsServer(endpoints: OperationsEndpoints, port: number, host = '0.0.0.0'): Promise<HealthServer> {
  const { worker, metrics } = endpoints;
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return json(res, 200, { ok: true });
    if (path === '/readyz' && worker) {
      const state = worker.getState();
      return json(res, state === 'RUNNING' ? 200 : 503, { ready: state === 'RUNNING', state: state.toLowerCase() });
    }
    if (path === '/metrics' && metrics) {
      metrics.text().then(
        (text) => res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' }).end(text),
        (err: Error) => json(res, 500, { error: err.message }),
      );
      return;
    }
    json(res, 404, { error: 'not found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const bound = server.address() as { port: number };
  return { port: bound.port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}
