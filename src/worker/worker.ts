/**
 * paycall's Temporal worker: the call, refund and payment events workflows plus their
 * activities on one task queue. The activity that reads call workflows (reconciling a charge
 * Stripe reported) is built here, from the worker's own connection and data converter.
 */
import { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createCallRecordActivities } from '../activities/call-records.js';
import { keepAlive } from '../activities/keep-alive.js';
import type { CallActivities } from '../activities/types.js';
import { activityMetricsInterceptor } from '../observability/activity-metrics.js';
import { callMetricsSinks } from '../observability/call-metrics-sinks.js';
import type { PaycallMetrics } from '../observability/metrics.js';
import type { Tracing } from '../observability/tracing.js';
import { checkSearchAttributes } from '../temporal/search-attribute-check.js';

import { tracingWorkflowInterceptorModules, workflowInterceptorModules, workflowSource } from './workflow-bundle.js';

export { workflowsPath } from './workflow-bundle.js';

export interface RunningWorker {
  worker: Worker;
  /** Resolves when the worker has stopped (after shutdown()). */
  done: Promise<void>;
  /** Stops polling, lets in-flight tasks finish, then resolves. */
  shutdown(): Promise<void>;
}

export async function startWorker(options: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: CallActivities;
  /** Set when payloads are encrypted (src/temporal/encryption-codec.ts). */
  dataConverter?: DataConverter;
  /** paycall's metrics (src/observability/metrics.ts): calls, charges, declines, refunds. */
  metrics?: PaycallMetrics;
  /** OpenTelemetry tracing (src/observability/tracing.ts); omitted: none. */
  tracing?: Tracing;
}): Promise<RunningWorker> {
  await checkSearchAttributes(options.connection, options.namespace);
  const { tracing } = options;
  const source = workflowSource(process.env, Boolean(tracing));
  const worker = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...source,
    activities: { ...options.activities, ...readCallRecordActivity(options) },
    // A prebuilt bundle has the workflow interceptors built in (build-workflow-bundle.ts).
    interceptors: {
      ...('workflowsPath' in source ? { workflowModules: tracing ? tracingWorkflowInterceptorModules : workflowInterceptorModules } : {}),
      activity: [...(tracing ? tracing.activityInterceptors() : []), ...(options.metrics ? [activityMetricsInterceptor(options.metrics)] : [])],
      ...(tracing ? { client: { workflow: tracing.clientInterceptors() } } : {}),
    },
    sinks: { ...callMetricsSinks(options.metrics), ...(tracing ? tracing.workflowSinks() : {}) },
    shutdownGraceTime: '10 seconds',
    // A call cached on a worker that died moves to another worker after this, not the SDK's 10 s.
    stickyQueueScheduleToStartTimeout: '2 seconds',
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
  });
  const done = worker.run();
  return {
    worker,
    done,
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}

function readCallRecordActivity(options: { connection: NativeConnection; namespace: string; dataConverter?: DataConverter }) {
  const client = new Client({ connection: options.connection, namespace: options.namespace, ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}) });
  const { readCallRecord } = createCallRecordActivities(client);
  return { readCallRecord: keepAlive(readCallRecord) };
}
