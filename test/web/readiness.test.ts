/**
 * /readyz says whether a web process should get calls: some worker polls its task queue and
 * it is not draining; /healthz only says the process is up. The worker's own health port
 * says whether it is running.
 */
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallActivities } from '../../src/activities/types.js';
import { ReadinessCheck } from '../../src/web/readiness.js';
import { startWorkerHealthServer } from '../../src/observability/operations-server.js';
import { connectTestTemporal, uniqueTaskQueue, workflowBundle, type TestTemporal } from '../helpers/temporal.js';
import { startTestWeb } from '../helpers/web.js';

let temporal: TestTemporal;
beforeAll(async () => {
  temporal = await connectTestTemporal();
});
afterAll(async () => {
  await temporal?.close();
});

const noActivities = {} as CallActivities;

describe('web readiness', () => {
  it('is not ready while no worker polls the task queue, ready once one does, and not ready while draining', async () => {
    const taskQueue = uniqueTaskQueue('readiness');
    const readiness = new ReadinessCheck(temporal.client, taskQueue);
    expect(await readiness.check()).toMatchObject({ ready: false, workers: 0, temporal: 'reachable' });

    const worker = await Worker.create({ connection: temporal.nativeConnection, namespace: temporal.namespace, taskQueue, workflowBundle: await workflowBundle(), activities: noActivities });
    await worker.runUntil(async () => {
      const fresh = new ReadinessCheck(temporal.client, taskQueue); // no cached answer
      await expect.poll(async () => (await fresh.check()).ready, { timeout: 10_000 }).toBe(true);
      expect((await fresh.check()).workers).toBeGreaterThanOrEqual(1);
      fresh.startDraining();
      expect(await fresh.check()).toMatchObject({ ready: false, draining: true });
    });
  });

  it('/healthz is liveness only; /readyz answers 503 with the reason', async () => {
    const web = await startTestWeb({ client: temporal.client, taskQueue: uniqueTaskQueue('no-workers') });
    try {
      expect(await (await fetch(`${web.baseUrl}/healthz`)).json()).toEqual({ ok: true });
      const ready = await fetch(`${web.baseUrl}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ ready: false, workers: 0 });
    } finally {
      await web.close();
    }
  });
});

describe('worker health port', () => {
  it('/readyz is 200 while the worker runs and 503 once it stops', async () => {
    const worker = await Worker.create({ connection: temporal.nativeConnection, namespace: temporal.namespace, taskQueue: uniqueTaskQueue('health'), workflowBundle: await workflowBundle(), activities: noActivities });
    const health = await startWorkerHealthServer(worker, 0, '127.0.0.1');
    try {
      const running = worker.run();
      await expect.poll(async () => (await fetch(`http://127.0.0.1:${health.port}/readyz`)).status).toBe(200);
      expect(await (await fetch(`http://127.0.0.1:${health.port}/healthz`)).json()).toEqual({ ok: true });
      worker.shutdown();
      await running;
      const stopped = await fetch(`http://127.0.0.1:${health.port}/readyz`);
      expect(stopped.status).toBe(503);
      expect(await stopped.json()).toMatchObject({ ready: false, state: 'stopped' });
    } finally {
      await health.close();
    }
  });
});
