/**
 * The worker's own small HTTP endpoint (METRICS_PORT): `/healthz` (the process is up) and
 * `/readyz` (the worker is running: polling its task queue, not draining). Prometheus
 * metrics join it here.
 */
import http from 'node:http';
import type { Worker } from '@temporalio/worker';

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

export async function startWorkerHealthServer(worker: Pick<Worker, 'getState'>, port: number, host = '0.0.0.0'): Promise<HealthServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return json(res, 200, { ok: true });
    if (path === '/readyz') {
      const state = worker.getState();
      return json(res, state === 'RUNNING' ? 200 : 503, { ready: state === 'RUNNING', state: state.toLowerCase() });
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
